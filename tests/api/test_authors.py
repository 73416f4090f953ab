"""The /authors routes, as a client sees them."""

from datetime import UTC, datetime, timedelta

import httpx

from modules.shared_kernel.domain.snowflake import decode
from tests.api.catalogue import assert_problem, new_author, new_book


async def test_registering_an_author_answers_201_with_location_and_the_author(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/authors", json={"first_name": " Han ", "last_name": "Kang", "biography": "Novelist."}
    )

    assert response.status_code == 201
    author = response.json()
    assert response.headers["location"] == f"/authors/{author['id']}"
    assert author == {"id": author["id"], "created_at": author["created_at"],
                      "first_name": "Han", "last_name": "Kang", "biography": "Novelist.",
                      "books": []}


async def test_ids_are_strings_of_digits(client: httpx.AsyncClient) -> None:
    author = await new_author(client)

    assert isinstance(author["id"], str)
    assert author["id"].isdigit()
    assert int(author["id"]) > 2**53  # exactly why they are not JSON numbers


async def test_an_author_is_read_back_by_id(client: httpx.AsyncClient) -> None:
    author = await new_author(client, "Kyung-sook", "Shin")

    response = await client.get(f"/authors/{author['id']}")

    assert response.status_code == 200
    assert response.json() == author


async def test_an_unknown_author_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/authors/123456789")

    assert_problem(response, 404, "author-not-found")


async def test_a_malformed_author_id_is_422(client: httpx.AsyncClient) -> None:
    for bad in ["abc", "0", "-5", "1.5", str(2**63), "9" * 25]:
        response = await client.get(f"/authors/{bad}")
        problem = assert_problem(response, 422, "invalid-request")
        assert problem["errors"][0]["in"] == "path"
        assert problem["errors"][0]["field"] == "author_id"


async def test_the_largest_bigint_is_a_valid_id_that_is_simply_not_found(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(f"/authors/{2**63 - 1}")

    assert_problem(response, 404)


async def test_invalid_author_bodies_name_each_bad_field(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/authors", json={"first_name": "   ", "last_name": "x" * 101, "biography": "b" * 5001}
    )

    problem = assert_problem(response, 422)
    assert {e["field"] for e in problem["errors"]} == {"first_name", "last_name", "biography"}


async def test_unknown_fields_are_refused_rather_than_ignored(client: httpx.AsyncClient) -> None:
    response = await client.post("/authors", json={"first_name": "Han", "last_name": "Kang",
                                                   "age": 54})

    problem = assert_problem(response, 422)
    assert problem["errors"][0]["field"] == "age"


async def test_listing_filters_by_part_of_either_name_ignoring_case(
    client: httpx.AsyncClient,
) -> None:
    han = await new_author(client, "Han", "Kang")
    await new_author(client, "Kyung-sook", "Shin")
    hwang = await new_author(client, "Sok-yong", "Hwang")

    response = await client.get("/authors", params={"name": "HAN"})

    assert response.status_code == 200
    assert [a["id"] for a in response.json()["items"]] == [han["id"]]
    response = await client.get("/authors", params={"name": "wan"})
    assert [a["id"] for a in response.json()["items"]] == [hwang["id"]]


async def test_name_search_treats_like_wildcards_as_plain_text(client: httpx.AsyncClient) -> None:
    await new_author(client, "Han", "Kang")

    response = await client.get("/authors", params={"name": "%"})

    assert response.json()["items"] == []


async def test_listing_pages_by_keyset_in_id_order(client: httpx.AsyncClient) -> None:
    made = [(await new_author(client, f"Author{i}", "Kim"))["id"] for i in range(5)]

    first = (await client.get("/authors", params={"limit": 2})).json()
    second = (await client.get(first["next"])).json()
    third = (await client.get(second["next"])).json()

    seen = [a["id"] for page in (first, second, third) for a in page["items"]]
    assert seen == sorted(made, key=int)
    assert first["next"] == f"/authors?limit=2&after={made[1]}"  # a path: no host, no scheme
    assert third["next"] is None


async def test_limit_outside_1_to_100_is_422(client: httpx.AsyncClient) -> None:
    for limit in ["0", "101", "ten"]:
        assert_problem(await client.get("/authors", params={"limit": limit}), 422)


async def test_patch_changes_only_what_is_sent(client: httpx.AsyncClient) -> None:
    author = await new_author(client, "Han", "Kang", biography="Novelist.")

    response = await client.patch(f"/authors/{author['id']}", json={"last_name": "Gang"})

    assert response.status_code == 200
    assert response.json() | {"last_name": "Kang"} == author
    assert response.json()["last_name"] == "Gang"


async def test_patch_with_null_biography_removes_it(client: httpx.AsyncClient) -> None:
    author = await new_author(client, biography="Novelist.")

    response = await client.patch(f"/authors/{author['id']}", json={"biography": None})

    assert response.json()["biography"] is None


async def test_patch_refuses_a_null_name(client: httpx.AsyncClient) -> None:
    author = await new_author(client)

    response = await client.patch(f"/authors/{author['id']}", json={"first_name": None})

    assert_problem(response, 422)


async def test_patch_of_an_unknown_author_is_404(client: httpx.AsyncClient) -> None:
    response = await client.patch("/authors/42", json={"first_name": "X"})

    assert_problem(response, 404, "author-not-found")


async def test_deleting_an_author_without_books_answers_204(client: httpx.AsyncClient) -> None:
    author = await new_author(client)

    response = await client.delete(f"/authors/{author['id']}")

    assert response.status_code == 204
    assert_problem(await client.get(f"/authors/{author['id']}"), 404)


async def test_deleting_an_author_with_books_is_409_and_keeps_them(
    client: httpx.AsyncClient,
) -> None:
    author = await new_author(client)
    await new_book(client, author_ids=[author["id"]])

    response = await client.delete(f"/authors/{author['id']}")

    assert_problem(response, 409, "author-still-has-books")
    assert (await client.get(f"/authors/{author['id']}")).status_code == 200


async def test_deleting_an_unknown_author_is_404(client: httpx.AsyncClient) -> None:
    assert_problem(await client.delete("/authors/42"), 404)


async def test_the_creation_time_shown_is_the_one_in_the_id(client: httpx.AsyncClient) -> None:
    before = datetime.now(UTC)
    author = await new_author(client)
    after = datetime.now(UTC)

    shown = datetime.fromisoformat(author["created_at"])

    assert shown == decode(int(author["id"])).created_at
    assert before - timedelta(milliseconds=1) <= shown <= after
