"""The /books routes, as a client sees them."""

import httpx
import pytest
from fastapi import FastAPI

from tests.api.catalogue import assert_problem, book_body, new_author, new_book


async def test_adding_a_book_answers_201_with_location_and_the_book(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/books", json=book_body(
        title="  The Vegetarian ", isbn="978-89-364-3401-4", price={"amount": 13500}))

    assert response.status_code == 201
    book = response.json()
    assert response.headers["location"] == f"/books/{book['id']}"
    assert book == {
        "id": book["id"], "created_at": book["created_at"], "title": "The Vegetarian",
        "isbn": "9788936434014", "pages": 192,
        "price": {"amount": 13500, "currency": "KRW"}, "publication_year": 2007, "authors": [],
    }


async def test_a_new_books_answer_is_what_a_read_shows_with_or_without_authors(
    client: httpx.AsyncClient,
) -> None:
    # A book without authors is answered from the aggregate just stored, one with authors
    # is read back: either way, the answer is the book as stored, ETag included.
    han = await new_author(client, "Han", "Kang")
    for body in (book_body(title=" Human Acts ", price={"amount": 1500, "currency": "USD"}),
                 book_body(title="Greek Lessons", author_ids=[han["id"]])):
        created = await client.post("/books", json=body)
        assert created.status_code == 201, created.text

        read = await client.get(created.headers["location"])

        assert created.json() == read.json()
        assert created.headers["etag"] == read.headers["etag"] == '"1"'


@pytest.mark.parametrize(("given", "stored"), [
    ("89-364-3401-2", "9788936434014"),
    ("0 306 40615 2", "9780306406157"),
    ("080442957x", "9780804429573"),
    ("978-0-306-40615-7", "9780306406157"),
])
async def test_an_isbn_10_or_13_is_stored_as_isbn_13(
    client: httpx.AsyncClient, given: str, stored: str
) -> None:
    book = await new_book(client, isbn=given)

    assert book["isbn"] == stored


async def test_a_wrong_check_digit_is_422_on_the_isbn_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/books", json=book_body(isbn="978-89-364-3401-5"))

    problem = assert_problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == ["isbn"]


async def test_an_isbn_used_by_another_book_is_409_in_either_form(
    client: httpx.AsyncClient,
) -> None:
    await new_book(client, isbn="978-89-364-3401-4")

    response = await client.post("/books", json=book_body(isbn="89-364-3401-2"))

    assert_problem(response, 409, "isbn-already-used")
    listed = (await client.get("/books")).json()["items"]
    assert len(listed) == 1


async def test_behind_a_proxy_the_location_keeps_the_path_the_service_is_mounted_at(
    app: FastAPI,
) -> None:
    transport = httpx.ASGITransport(app=app, root_path="/catalogue")
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as proxied:
        book = await proxied.post("/books", json=book_body())
        author = await proxied.post("/authors", json={"first_name": "Han", "last_name": "Kang"})

    assert book.headers["location"] == f"/catalogue/books/{book.json()['id']}"
    assert author.headers["location"] == f"/catalogue/authors/{author.json()['id']}"


async def test_a_book_is_created_with_its_authors_in_the_given_order(
    client: httpx.AsyncClient,
) -> None:
    han = await new_author(client, "Han", "Kang")
    shin = await new_author(client, "Kyung-sook", "Shin")

    book = await new_book(client, author_ids=[shin["id"], han["id"]])

    assert [a["id"] for a in book["authors"]] == [shin["id"], han["id"]]
    assert book["authors"][0] == {"id": shin["id"], "first_name": "Kyung-sook",
                                  "last_name": "Shin"}


async def test_creating_a_book_with_an_unknown_author_creates_nothing(
    client: httpx.AsyncClient,
) -> None:
    han = await new_author(client)

    response = await client.post("/books", json=book_body(author_ids=[han["id"], "424242"]))

    problem = assert_problem(response, 422, "unknown-authors")
    assert problem["errors"][0]["field"] == "author_ids"
    assert (await client.get("/books")).json()["items"] == []
    assert (await client.get(f"/authors/{han['id']}")).json()["books"] == []


async def test_an_author_listed_twice_is_422(client: httpx.AsyncClient) -> None:
    han = await new_author(client)

    response = await client.post("/books", json=book_body(author_ids=[han["id"], han["id"]]))

    assert_problem(response, 422)


async def test_ids_in_bodies_must_be_strings(client: httpx.AsyncClient) -> None:
    han = await new_author(client)

    response = await client.post("/books", json=book_body(author_ids=[int(han["id"])]))

    assert_problem(response, 422)


@pytest.mark.parametrize(("field", "value"), [
    ("title", ""), ("title", "   "), ("title", "x" * 256), ("title", 5),
    ("pages", 0), ("pages", 100_001), ("pages", "12"), ("pages", 12.5), ("pages", True),
    ("publication_year", 1449), ("publication_year", 9999),
    ("price", {"amount": -1}), ("price", {"amount": 1, "currency": "XYZ"}),
    ("price", {"amount": 1, "currency": "krw"}), ("price", {"amount": 2**63}),
    ("price", None), ("author_ids", ["1"] * 101), ("title", "nul\u0000byte"),
])
async def test_each_invalid_field_is_422_and_named(
    client: httpx.AsyncClient, field: str, value: object
) -> None:
    response = await client.post("/books", json=book_body(**{field: value}))

    problem = assert_problem(response, 422)
    assert all(e["field"].split(".")[0] == field for e in problem["errors"]), problem


async def test_a_missing_field_is_422(client: httpx.AsyncClient) -> None:
    body = book_body()
    del body["pages"]

    problem = assert_problem(await client.post("/books", json=body), 422)
    assert problem["errors"][0]["field"] == "pages"


async def test_a_body_that_is_not_json_is_422(client: httpx.AsyncClient) -> None:
    response = await client.post("/books", content=b"{not json",
                                 headers={"content-type": "application/json"})

    assert_problem(response, 422)


async def test_an_unknown_book_is_404_and_a_malformed_id_422(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/books/777"), 404, "book-not-found")
    assert_problem(await client.get("/books/seven"), 422)
    assert_problem(await client.get(f"/books/{2**63}"), 422)


async def test_titles_are_found_by_any_part_ignoring_case(client: httpx.AsyncClient) -> None:
    vegetarian = await new_book(client, title="The Vegetarian")
    await new_book(client, title="Human Acts")

    items = (await client.get("/books", params={"title": "VEGET"})).json()["items"]

    assert [b["id"] for b in items] == [vegetarian["id"]]


async def test_books_are_found_by_isbn_in_either_form(client: httpx.AsyncClient) -> None:
    book = await new_book(client, isbn="9780306406157")
    await new_book(client)

    for form in ["0-306-40615-2", "978-0-306-40615-7"]:
        items = (await client.get("/books", params={"isbn": form})).json()["items"]
        assert [b["id"] for b in items] == [book["id"]]


async def test_an_invalid_isbn_filter_is_422(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/books", params={"isbn": "12345"}), 422)


async def test_pages_follow_each_other_without_gaps_or_repeats(
    client: httpx.AsyncClient,
) -> None:
    han = await new_author(client)
    made = [(await new_book(client, title=f"Book {i}", author_ids=[han["id"]]))["id"]
            for i in range(7)]

    seen, url = [], "/books?limit=3&title=book"
    while url:
        page = (await client.get(url)).json()
        assert len(page["items"]) <= 3
        assert all(b["authors"][0]["id"] == han["id"] for b in page["items"])
        seen += [b["id"] for b in page["items"]]
        url = page["next"]

    assert seen == sorted(made, key=int)


async def test_the_next_link_is_a_path_whatever_host_the_request_named(
    client: httpx.AsyncClient,
) -> None:
    # Behind a TLS proxy the request's scheme and Host are not the client's; a spoofed Host
    # must not end up in a link the client follows.
    first = await new_book(client)
    await new_book(client)

    response = await client.get("/books", params={"limit": 1, "title": "vegetarian"},
                                headers={"Host": "evil.example"})

    assert response.json()["next"] == f"/books?limit=1&title=vegetarian&after={first['id']}"


async def test_patch_changes_only_what_is_sent(client: httpx.AsyncClient) -> None:
    book = await new_book(client)

    response = await client.patch(f"/books/{book['id']}", json={
        "title": "Human Acts", "isbn": "0-306-40615-2", "pages": 218,
        "price": {"amount": 15, "currency": "USD"}, "publication_year": 2014,
    })

    assert response.status_code == 200
    assert response.json() == book | {
        "title": "Human Acts", "isbn": "9780306406157", "pages": 218,
        "price": {"amount": 15, "currency": "USD"}, "publication_year": 2014,
    }
    assert (await client.get(f"/books/{book['id']}")).json() == response.json()


async def test_a_price_without_a_currency_keeps_the_books_currency(
    client: httpx.AsyncClient,
) -> None:
    # Issue 11: a partial price used to fall back to KRW, silently changing a USD book's
    # currency.
    book = await new_book(client, price={"amount": 1500, "currency": "USD"})

    response = await client.patch(f"/books/{book['id']}", json={"price": {"amount": 2499}})

    assert response.status_code == 200
    assert response.json()["price"] == {"amount": 2499, "currency": "USD"}


async def test_a_price_with_a_null_currency_is_refused(client: httpx.AsyncClient) -> None:
    book = await new_book(client)

    response = await client.patch(f"/books/{book['id']}",
                                  json={"price": {"amount": 1, "currency": None}})

    assert_problem(response, 422)


async def test_patch_keeps_the_isbn_a_book_already_has(client: httpx.AsyncClient) -> None:
    book = await new_book(client, isbn="9780306406157")

    response = await client.patch(f"/books/{book['id']}", json={"isbn": "0-306-40615-2"})

    assert response.status_code == 200


async def test_patch_to_another_books_isbn_is_409(client: httpx.AsyncClient) -> None:
    taken = await new_book(client)
    book = await new_book(client)

    response = await client.patch(f"/books/{book['id']}", json={"isbn": taken["isbn"]})

    assert_problem(response, 409, "isbn-already-used")
    assert (await client.get(f"/books/{book['id']}")).json()["isbn"] == book["isbn"]


async def test_patch_refuses_nulls_and_bad_values(client: httpx.AsyncClient) -> None:
    book = await new_book(client)

    assert_problem(await client.patch(f"/books/{book['id']}", json={"title": None}), 422)
    assert_problem(await client.patch(f"/books/{book['id']}", json={"pages": -3}), 422)
    assert (await client.get(f"/books/{book['id']}")).json() == book


async def test_patch_of_an_unknown_book_is_404(client: httpx.AsyncClient) -> None:
    assert_problem(await client.patch("/books/42", json={"pages": 3}), 404)


async def test_deleting_a_book_answers_204_and_it_is_gone(client: httpx.AsyncClient) -> None:
    book = await new_book(client)

    assert (await client.delete(f"/books/{book['id']}")).status_code == 204
    assert_problem(await client.get(f"/books/{book['id']}"), 404)
    assert_problem(await client.delete(f"/books/{book['id']}"), 404)


async def test_unicode_and_sql_looking_text_round_trip_exactly(client: httpx.AsyncClient) -> None:
    title = "채식주의자 📚 مرحبا'; DROP TABLE books; --"
    book = await new_book(client, title=title)

    assert (await client.get(f"/books/{book['id']}")).json()["title"] == title
