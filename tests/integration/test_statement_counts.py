"""How many SQL statements and transactions each operation sends (like Django's
assertNumQueries): a change that adds a round trip fails here, naming the new count.

Counted are the statements this request sends, through SQLAlchemy and straight to the read
pool, not the event relay's polling beside it (it runs in a task of its own). A transaction is
counted where it begins; on PostgreSQL its BEGIN and COMMIT are a round trip each besides its
statements. The event is delivered in the request (immediate delivery, the default).
"""

from collections.abc import Awaitable, Callable, Iterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.reads import Reads
from tests.api.catalogue import book_body, new_author, new_book
from tests.integration.sql_sent import Sent, counting


@pytest.fixture
def sent(engine: AsyncEngine, reads: Reads) -> Iterator[Sent]:
    with counting(engine, reads) as sent:
        yield sent


async def counted(sent: Sent, request: Callable[[], Awaitable[httpx.Response]],
                  expected_status: int) -> tuple[int, int]:
    sent.clear()
    response = await request()
    assert response.status_code == expected_status, response.text
    return sent.counts


async def test_reading_one_book_or_author_is_one_statement_outside_any_transaction(
    client: httpx.AsyncClient, sent: Sent,
) -> None:
    author = await new_author(client)
    book = await new_book(client, author_ids=[author["id"]])

    assert await counted(sent, lambda: client.get(f"/books/{book['id']}"), 200) == (1, 0)
    assert await counted(sent, lambda: client.get(f"/authors/{author['id']}"), 200) == (1, 0)


async def test_a_search_page_is_one_statement_whether_the_walk_fills_it_or_not(
    client: httpx.AsyncClient, sent: Sent,
) -> None:
    for i in range(3):
        await new_book(client, title=f"River {i}")
    await new_author(client, "Han", "Kang")

    assert await counted(sent, lambda: client.get("/books?title=river&limit=2"), 200) == (1, 0)
    assert await counted(sent, lambda: client.get("/books?title=river"), 200) == (1, 0)
    assert await counted(sent, lambda: client.get("/books"), 200) == (1, 0)
    assert await counted(sent, lambda: client.get("/authors?name=kang"), 200) == (1, 0)


async def test_the_writes_send_what_their_guarantees_need_and_no_more(
    client: httpx.AsyncClient, sent: Sent,
) -> None:
    author = await new_author(client)
    other = await new_author(client, "Yi", "Sang")
    book = await new_book(client, author_ids=[author["id"]])
    path = f"/books/{book['id']}"

    found: dict[str, tuple[int, int]] = {
        "POST /authors": await counted(
            sent, lambda: client.post("/authors", json={"first_name": "A", "last_name": "B"}),
            201),
        "POST /books": await counted(
            sent, lambda: client.post("/books", json=book_body()), 201),
        "POST /books with an author": await counted(
            sent, lambda: client.post("/books", json=book_body(author_ids=[author["id"]])), 201),
        "PUT /books/{id}/authors/{aid}": await counted(
            sent, lambda: client.put(f"{path}/authors/{other['id']}"), 200),
        "DELETE /books/{id}/authors/{aid}": await counted(
            sent, lambda: client.delete(f"{path}/authors/{other['id']}"), 200),
        "PATCH /books/{id}": await counted(
            sent, lambda: client.patch(path, json={"pages": 200}), 200),
        "PATCH /authors/{id}": await counted(
            sent, lambda: client.patch(f"/authors/{other['id']}", json={"biography": "poet"}),
            200),
        "DELETE /books/{id}": await counted(sent, lambda: client.delete(path), 204),
        "DELETE /authors/{id}": await counted(
            sent, lambda: client.delete(f"/authors/{other['id']}"), 204),
    }

    assert found == WRITES


# (statements, transactions). The answer's read is one statement outside any transaction; so is
# a write that is one INSERT alone, atomic by itself (no BEGIN and COMMIT around it).
# An aggregate changed under its lock is two statements: its row locked, then its children
# (in one joined statement the children would be read as they were before the lock came
# free); one read to be changed at a version is one statement, a join.
WRITES = {
    # The insert; the answer.
    "POST /authors": (2, 0),
    # The insert (its ISBN's unique key is the check); the answer is the book just stored.
    "POST /books": (1, 0),
    # The book: its row, its credit, its publication. The author (the credit delivered in the
    # request): locked, their books, the version bump, their new book, the publication
    # completed. The answer.
    "POST /books with an author": (9, 2),
    # The book: locked, its credits, the version bump, the credit, the publication. The
    # author as above. The answer.
    "PUT /books/{id}/authors/{aid}": (11, 2),
    "DELETE /books/{id}/authors/{aid}": (11, 2),
    # The book with its credits; the update (the version checked in its WHERE); the answer.
    "PATCH /books/{id}": (3, 1),
    "PATCH /authors/{id}": (3, 1),
    # The book: locked, its credits, their deletion, its own, the publication. The author:
    # locked, their books, the version bump, the book marked gone, the publication completed.
    "DELETE /books/{id}": (10, 2),
    # The author: locked, their books, the forgotten books' rows, their own.
    "DELETE /authors/{id}": (4, 1),
}
