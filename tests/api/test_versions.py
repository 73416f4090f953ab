"""Versions as ETags: no edit silently overwrites another."""

import asyncio

import httpx
import pytest

from tests.api.catalogue import assert_problem, new_author, new_book


async def test_a_book_carries_its_version_as_etag_and_each_change_moves_it(
    client: httpx.AsyncClient,
) -> None:
    book = await new_book(client)
    han = await new_author(client)
    first = (await client.get(f"/books/{book['id']}")).headers["etag"]

    credited = await client.put(f"/books/{book['id']}/authors/{han['id']}")
    patched = await client.patch(f"/books/{book['id']}", json={"pages": 300})

    assert first == '"1"'
    assert credited.headers["etag"] == '"2"'  # a new credit alone moves the version too
    assert patched.headers["etag"] == '"3"'
    assert "version" not in patched.json()


async def test_patch_with_the_current_etag_succeeds(client: httpx.AsyncClient) -> None:
    book = await new_book(client)
    etag = (await client.get(f"/books/{book['id']}")).headers["etag"]

    response = await client.patch(f"/books/{book['id']}", json={"pages": 300},
                                  headers={"If-Match": etag})

    assert response.status_code == 200
    assert response.json()["pages"] == 300


@pytest.mark.parametrize("if_match", ['"7"', 'W/"1"', "1", "garbage", '"99999999999999"'])
async def test_patch_with_a_stale_or_unreadable_if_match_is_412_and_changes_nothing(
    client: httpx.AsyncClient, if_match: str
) -> None:
    book = await new_book(client)

    response = await client.patch(f"/books/{book['id']}", json={"pages": 300},
                                  headers={"If-Match": if_match})

    assert_problem(response, 412, "version-mismatch")
    assert (await client.get(f"/books/{book['id']}")).json()["pages"] == book["pages"]


async def test_if_match_star_accepts_any_version(client: httpx.AsyncClient) -> None:
    author = await new_author(client)

    response = await client.patch(f"/authors/{author['id']}", json={"last_name": "Gang"},
                                  headers={"If-Match": "*"})

    assert response.status_code == 200


async def test_two_patches_racing_with_one_if_match_give_one_200_and_one_412(
    client: httpx.AsyncClient,
) -> None:
    book = await new_book(client)
    etag = (await client.get(f"/books/{book['id']}")).headers["etag"]

    responses = await asyncio.gather(
        client.patch(f"/books/{book['id']}", json={"title": "Mine"}, headers={"If-Match": etag}),
        client.patch(f"/books/{book['id']}", json={"title": "Theirs"},
                     headers={"If-Match": etag}),
    )

    assert sorted(r.status_code for r in responses) == [200, 412]
    winner = next(r for r in responses if r.status_code == 200).json()["title"]
    assert (await client.get(f"/books/{book['id']}")).json()["title"] == winner


async def test_two_authors_patches_racing_with_one_if_match_give_one_200_and_one_412(
    client: httpx.AsyncClient,
) -> None:
    author = await new_author(client)
    etag = (await client.get(f"/authors/{author['id']}")).headers["etag"]

    responses = await asyncio.gather(*[
        client.patch(f"/authors/{author['id']}", json={"biography": text},
                     headers={"If-Match": etag}) for text in ("Mine.", "Theirs.")
    ])

    assert sorted(r.status_code for r in responses) == [200, 412]


async def test_racing_patches_without_if_match_never_lose_a_write_silently(
    client: httpx.AsyncClient,
) -> None:
    book = await new_book(client)

    responses = await asyncio.gather(*[
        client.patch(f"/books/{book['id']}", json={"pages": pages}) for pages in range(10, 20)
    ])

    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 409}
    final = (await client.get(f"/books/{book['id']}")).json()["pages"]
    last_writer = [r.json()["pages"] for r in responses if r.status_code == 200]
    assert final in last_writer  # the stored value is one a 200 reported, never a lost one
