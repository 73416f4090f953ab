"""Whatever a client sends, the answer is a clear 4xx and nothing stored changes."""

import json
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.api.catalogue import assert_problem, book_body, new_author, new_book

MIB = 1024 * 1024


async def nothing_stored(client: httpx.AsyncClient) -> bool:
    return (await client.get("/books")).json()["items"] == []


async def test_a_body_over_one_mebibyte_is_413(client: httpx.AsyncClient) -> None:
    body = b'{"title": "' + b"x" * MIB + b'"}'

    response = await client.post("/books", content=body,
                                 headers={"content-type": "application/json"})

    assert_problem(response, 413, "body-too-large")
    assert await nothing_stored(client)


async def test_a_streamed_body_over_one_mebibyte_is_413_without_a_length(
    client: httpx.AsyncClient,
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b" " * 64 * 1024

    response = await client.post("/books", content=chunks(),
                                 headers={"content-type": "application/json"})

    assert_problem(response, 413)


async def test_a_body_of_exactly_one_mebibyte_is_read(client: httpx.AsyncClient) -> None:
    padding = MIB - len(b'{"title": ""}')
    body = b'{"title": "' + b"x" * padding + b'"}'

    response = await client.post("/books", content=body,
                                 headers={"content-type": "application/json"})

    assert_problem(response, 422)  # read and judged on its fields, not refused for size


@pytest.mark.parametrize(("path", "where"), [
    ("/books?title=%FF%FE", "query"),
    ("/authors?name=%C3%28", "query"),
    ("/books/%FF", "path"),
])
async def test_urls_that_are_not_utf8_are_422(
    client: httpx.AsyncClient, path: str, where: str
) -> None:
    problem = assert_problem(await client.get(path), 422)

    assert problem["errors"][0]["in"] == where


async def test_a_json_body_that_is_not_utf8_is_422(client: httpx.AsyncClient) -> None:
    body = b'{"first_name": "\xff\xfe", "last_name": "x"}'

    response = await client.post("/authors", content=body,
                                 headers={"content-type": "application/json"})

    problem = assert_problem(response, 422)
    assert problem["errors"][0]["in"] == "body"


@pytest.mark.parametrize("query", [
    {"title": "\x00"}, {"name": "a\x00b"}, {"limit": str(2**70)}, {"limit": "-1"},
    {"after": str(2**63)}, {"after": "-3"}, {"after": "1e3"}, {"isbn": "9" * 40},
])
async def test_query_values_out_of_bounds_are_422(
    client: httpx.AsyncClient, query: dict[str, str]
) -> None:
    path = "/authors" if "name" in query else "/books"

    assert_problem(await client.get(path, params=query), 422)


@pytest.mark.parametrize(("field", "value"), [
    ("pages", 2**63), ("pages", -(2**63)), ("pages", 2**64), ("publication_year", 10**30),
    ("price", {"amount": 2**64}), ("price", {"amount": 1.5}), ("title", "x" * 100_000),
    ("isbn", "9" * 1000), ("author_ids", [str(2**64)]), ("author_ids", "1"),
    ("author_ids", [None]), ("title", None), ("title", ["a"]), ("price", "13500"),
])
async def test_body_values_at_and_beyond_every_bound_are_422_and_store_nothing(
    client: httpx.AsyncClient, field: str, value: object
) -> None:
    response = await client.post("/books", json=book_body(**{field: value}))

    assert_problem(response, 422)
    assert await nothing_stored(client)


async def test_a_body_that_is_not_an_object_is_422(client: httpx.AsyncClient) -> None:
    for body in ([], "text", 12, None):
        assert_problem(await client.post("/authors", json=body), 422)


async def test_korean_emoji_and_rtl_names_round_trip_exactly(client: httpx.AsyncClient) -> None:
    names = [("한", "강"), ("Ἀριστοτέλης", "🦉"), ("نجيب", "محفوظ"), ("a‮b", "z̵̡̛")]

    for first, last in names:
        made = await new_author(client, first, last)
        shown = (await client.get(f"/authors/{made['id']}")).json()
        assert (shown["first_name"], shown["last_name"]) == (first, last)


async def test_sql_looking_text_is_stored_verbatim_and_searched_as_text(
    client: httpx.AsyncClient,
) -> None:
    title = "Robert'); DROP TABLE books;-- 100% _real_"
    await new_book(client)
    book = await new_book(client, title=title)

    found = (await client.get("/books", params={"title": "100% _re"})).json()["items"]

    assert [b["id"] for b in found] == [book["id"]]
    assert found[0]["title"] == title


def raw_book(field: str, raw_value: bytes) -> bytes:
    """A book body whose `field` holds JSON text httpx would not write (too long, too deep)."""
    body = book_body(**{field: "__raw__"})
    return json.dumps(body).encode().replace(b'"__raw__"', raw_value)


async def post_json(client: httpx.AsyncClient, path: str, body: bytes) -> httpx.Response:
    return await client.post(path, content=body, headers={"content-type": "application/json"})


@pytest.mark.parametrize(("field", "raw_value", "named"), [
    ("pages", b"9" * 5000, "pages"),
    ("pages", b"-" + b"1" * 5000, "pages"),
    ("price", b'{"amount": ' + b"1" * 5000 + b"}", "price.amount"),
])
async def test_an_integer_too_long_to_read_is_422_on_its_field(
    client: httpx.AsyncClient, field: str, raw_value: bytes, named: str
) -> None:
    response = await post_json(client, "/books", raw_book(field, raw_value))

    problem = assert_problem(response, 422, "invalid-request")
    assert [e["field"] for e in problem["errors"]] == [named]
    assert await nothing_stored(client)


async def test_a_body_nested_too_deeply_is_422_on_the_field_that_nests(
    client: httpx.AsyncClient,
) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000

    response = await post_json(client, "/books", raw_book("author_ids", deep))

    problem = assert_problem(response, 422, "invalid-request")
    assert [(e["in"], e["field"]) for e in problem["errors"]] == [("body", "author_ids")]
    assert await nothing_stored(client)


async def test_a_body_that_is_itself_nested_too_deeply_is_422_on_the_body(
    client: httpx.AsyncClient,
) -> None:
    response = await post_json(client, "/authors", b"[" * 100_000 + b"]" * 100_000)

    problem = assert_problem(response, 422, "invalid-request")
    assert [(e["in"], e["field"]) for e in problem["errors"]] == [("body", "")]
