"""Small helpers so API tests read like the catalogue: make an author, make a book."""

from itertools import count
from typing import Any

import httpx

_isbn_numbers = count(1)


def isbn13(n: int) -> str:
    """A valid ISBN-13 for any small number n (978 prefix, computed check digit)."""
    first12 = f"978{n:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def next_isbn() -> str:
    return isbn13(next(_isbn_numbers))


def book_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "The Vegetarian", "isbn": next_isbn(), "pages": 192,
        "price": {"amount": 13500, "currency": "KRW"}, "publication_year": 2007,
    }
    body.update(changes)
    return body


async def new_author(client: httpx.AsyncClient, first: str = "Han", last: str = "Kang",
                     **extra: Any) -> dict[str, Any]:
    response = await client.post("/authors", json={"first_name": first, "last_name": last,
                                                   **extra})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def new_book(client: httpx.AsyncClient, **changes: Any) -> dict[str, Any]:
    response = await client.post("/books", json=book_body(**changes))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def books_of(client: httpx.AsyncClient, author: dict[str, Any]) -> list[str]:
    """The ids of the books the author lists (the Author module's side of the credits)."""
    shown = (await client.get(f"/authors/{author['id']}")).json()
    return [book["id"] for book in shown["books"]]


def assert_problem(response: httpx.Response, status: int, kind: str | None = None) -> dict:
    """The response is an RFC 9457 problem with this status (and kind, if given)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert {"type", "title", "status", "detail"} <= problem.keys()
    assert problem["status"] == status
    if kind is not None:
        assert problem["type"] == f"urn:bookshelf:problem:{kind}"
    return dict(problem)
