"""HEAD is GET without the body (RFC 9110 9.3.2), on every route that offers GET."""

import logging

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from tests.api.catalogue import assert_problem, new_author, new_book


def get_paths(app: FastAPI, **ids: str) -> list[str]:
    """Every path the app answers GET on, its path parameters filled from `ids`."""
    return [route.path_format.format(**ids) for route in iter_route_contexts(app.routes)
            if route.path_format and "GET" in (route.methods or ())]


def shown(response: httpx.Response) -> tuple[int, dict[str, str]]:
    headers = {k: v for k, v in response.headers.items() if k != "x-request-id"}
    return response.status_code, headers


async def test_head_answers_every_get_route_like_get_without_a_body(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    book, author = await new_book(client), await new_author(client)
    paths = get_paths(app, book_id=book["id"], author_id=author["id"])

    assert {"/books", f"/books/{book['id']}", "/authors", "/health/live"} <= set(paths)
    for path in paths:
        got, head = await client.get(path), await client.head(path)
        assert shown(head) == shown(got), path
        assert head.content == b"", path


async def test_head_of_a_book_carries_its_etag_and_length(client: httpx.AsyncClient) -> None:
    book = await new_book(client)

    response = await client.head(f"/books/{book['id']}")

    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    assert int(response.headers["content-length"]) > 0
    assert response.content == b""


async def test_head_of_an_unknown_book_is_a_404_without_a_body(client: httpx.AsyncClient) -> None:
    response = await client.head("/books/12345")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.content == b""


async def test_head_where_there_is_no_get_is_405(client: httpx.AsyncClient) -> None:
    response = await client.head("/books/1/authors/2")

    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, PUT"


async def test_a_head_request_is_logged_as_head(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="bookshelf.requests"):
        await client.head("/books")

    [line] = [r for r in caplog.records if r.name == "bookshelf.requests"]
    assert line.method == "HEAD"  # type: ignore[attr-defined]


async def test_a_method_no_route_offers_is_still_405(client: httpx.AsyncClient) -> None:
    assert_problem(await client.request("TRACE", "/books"), 405, "method-not-allowed")
