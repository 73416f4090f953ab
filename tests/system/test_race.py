"""Issue 10's proof: thousands of random, overlapping operations on a few books and authors,
through two uvicorn workers, with listeners that fail a tenth of their first attempts; then,
once the publications have drained, the invariants I1-I6 of the README hold, through the
HTTP API and in storage, and no answer was a 5xx.

Runs in both delivery modes, on the database the suite runs on (PostgreSQL in CI, and the
embedded SQLite default). `BOOKSHELF_RACE_OPERATIONS` sets how many operations (default 1500).
"""

import asyncio
import json
import os
import random
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from persistence.tables import author_books, authors, book_authors, books
from tests.api.catalogue import isbn13
from tests.system.databases import fresh_database
from tests.system.servers import running_service

OPERATIONS = int(os.environ.get("BOOKSHELF_RACE_OPERATIONS", "1500"))
CONCURRENCY = 12
POOL = 12  # books and authors in play at a time: few, so operations collide


class Race:
    def __init__(self, session: aiohttp.ClientSession, seed: int) -> None:
        self.http = session
        self.random = random.Random(seed)
        self.books: list[str] = []
        self.authors: list[str] = []
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.problems: list[str] = []
        self.isbns = iter(range(10**6, 10**7))

    async def call(self, method: str, path: str, kind: str, **body: Any) -> int:
        return (await self.answer(method, path, kind, **body))[0]

    async def answer(self, method: str, path: str, kind: str, **body: Any) -> tuple[int, bytes]:
        async with self.http.request(method, path, json=body or None) as response:
            payload = await response.read()
        self.statuses[(kind, response.status)] += 1
        if response.status >= 500:
            self.problems.append(f"{kind} {path}: {response.status} {payload[:300]!r}")
        if kind == "delete author" and response.status == 409 and \
                b"author-still-has-books" not in payload:
            self.problems.append(f"409 of another kind on {path}: {payload[:300]!r}")
        return response.status, payload

    async def new_author(self) -> None:
        status, payload = await self.answer("POST", "/authors", "add author",
                                            first_name="Race", last_name="Runner")
        if status == 201:
            self.authors.append(json.loads(payload)["id"])

    async def new_book(self) -> None:
        # Authors picked now may be deleted before the book is stored: then 422.
        credited = self.random.sample(self.authors, k=min(2, len(self.authors)))
        status, payload = await self.answer(
            "POST", "/books", "add book", title="Race", isbn=isbn13(next(self.isbns)),
            pages=10, price={"amount": 1}, publication_year=2020, author_ids=credited)
        if status == 201:
            self.books.append(json.loads(payload)["id"])

    def pair(self) -> tuple[str, str]:
        return self.random.choice(self.books), self.random.choice(self.authors)

    async def one_operation(self) -> None:
        while len(self.authors) < POOL:
            await self.new_author()
        while len(self.books) < POOL:
            await self.new_book()
        book, author = self.pair()
        credit = f"/books/{book}/authors/{author}"
        choice = self.random.random()
        if choice < 0.30:
            await self.call("PUT", credit, "credit")
        elif choice < 0.50:
            await self.call("DELETE", credit, "uncredit")
        elif choice < 0.65:  # the same pair credited and uncredited at once
            await asyncio.gather(self.call("PUT", credit, "credit"),
                                 self.call("DELETE", credit, "uncredit"))
        elif choice < 0.80:  # crediting while the author is being deleted
            results = await asyncio.gather(self.call("PUT", credit, "credit"),
                                           self.call("DELETE", f"/authors/{author}",
                                                     "delete author"))
            if results[1] == 204 and author in self.authors:
                self.authors.remove(author)
        elif choice < 0.90:  # a book deleted (while credited) and replaced
            if await self.call("DELETE", f"/books/{book}", "delete book") == 204 \
                    and book in self.books:
                self.books.remove(book)
        else:  # an author uncredited from a few books, then deleted (or refused) and replaced
            for other in self.random.sample(self.books, k=3):
                await self.call("DELETE", f"/books/{other}/authors/{author}", "uncredit")
            if await self.call("DELETE", f"/authors/{author}", "delete author") == 204 \
                    and author in self.authors:
                self.authors.remove(author)


async def run_race(base_url: str, seed: int) -> Race:
    async with aiohttp.ClientSession(base_url) as session:
        race = Race(session, seed)
        remaining = iter(range(OPERATIONS))

        async def worker() -> None:
            for _ in remaining:
                await race.one_operation()

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        await drained(session)
        await check_views(session, race)
    return race


async def drained(session: aiohttp.ClientSession, within_s: float = 120) -> None:
    deadline = asyncio.get_running_loop().time() + within_s
    while True:
        left = {}
        for state in ("pending", "failed"):
            async with session.get("/admin/event-publications", params={"state": state}) as r:
                left[state] = len((await r.json())["items"])
        if not any(left.values()):
            return
        assert left["failed"] == 0, "a publication was given up on"
        assert asyncio.get_running_loop().time() < deadline, f"not drained: {left}"
        await asyncio.sleep(0.2)


async def every(session: aiohttp.ClientSession, path: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    url: str | None = f"{path}?limit=100"
    while url:
        async with session.get(url) as response:
            page = await response.json()
        found += page["items"]
        url = page["next"] and page["next"].split("://", 1)[-1].split("/", 1)[-1]
        url = url and "/" + url
    return found


async def check_views(session: aiohttp.ClientSession, race: Race) -> None:
    shown_books = {b["id"]: {a["id"] for a in b["authors"]} for b in await every(session, "/books")}
    shown_authors = {a["id"]: {b["id"] for b in a["books"]}
                     for a in await every(session, "/authors")}
    # I1: A is on B exactly when B is on A.
    from_books = {(b, a) for b, credited in shown_books.items() for a in credited}
    from_authors = {(b, a) for a, written in shown_authors.items() for b in written}
    assert from_books == from_authors, (from_books ^ from_authors)
    # I2: no book credits an author who does not exist.
    assert {a for _, a in from_books} <= shown_authors.keys()
    # I3: every author left that no book credits can be deleted, and then is gone for good.
    for author_id in shown_authors.keys() - {a for _, a in from_books}:
        async with session.delete(f"/authors/{author_id}") as response:
            assert response.status == 204, await response.text()
        race.authors = [a for a in race.authors if a != author_id]


async def check_storage(database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            credits = {tuple(row) for row in await connection.execute(
                select(book_authors.c.book_id, book_authors.c.author_id))}
            known = {tuple(row) for row in await connection.execute(
                select(author_books.c.book_id, author_books.c.author_id)
                .where(author_books.c.credited))}
            author_ids = set((await connection.scalars(select(authors.c.id))).all())
            book_ids = set((await connection.scalars(select(books.c.id))).all())
    finally:
        await engine.dispose()
    assert credits == known, credits ^ known  # I1, in storage
    assert {a for _, a in credits} <= author_ids  # I2, in storage
    assert {b for b, _ in known} <= book_ids


@pytest.mark.parametrize("delivery", ["immediate", "relay"])
async def test_the_modules_agree_after_thousands_of_racing_operations(
    database_url: str, tmp_path: Path, delivery: str
) -> None:
    async with fresh_database(database_url, tmp_path) as url:
        with running_service(url, workers=2, log=tmp_path / "service.log",
                             app="tests.system.flaky_app:app", EVENT_DELIVERY=delivery,
                             EVENT_RETRY_BASE_S="0.05", EVENT_RETRY_MAX_S="0.5",
                             EVENT_RELAY_INTERVAL_S="0.1", EVENT_CLAIM_TIMEOUT_S="5",
                             EVENT_MAX_ATTEMPTS="50") as base_url:
            race = await run_race(base_url, seed=hash(delivery) & 0xFFFF)
        await check_storage(url)

    assert race.problems == []  # I4, I5: no 5xx, and every 409 on an author is the rule's
    print(dict(sorted(race.statuses.items())))
    assert sum(race.statuses.values()) >= OPERATIONS
    # Every kind of collision happened: credits and removals, authors deleted and refused,
    # and credits of an author deleted a moment before (404).
    for seen in [("credit", 200), ("uncredit", 200), ("delete author", 204),
                 ("delete author", 409), ("credit", 404)]:
        assert race.statuses[seen], seen
