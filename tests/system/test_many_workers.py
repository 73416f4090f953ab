"""Four uvicorn workers creating books at once never make the same id twice.

The example this project grows from gave every process worker id 1 and lost 7-21 inserts per
600-1000 concurrent creates to duplicate keys. Here each worker leases its own id.
"""

import asyncio
import os
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from modules.shared_kernel.domain.snowflake import decode
from persistence.clock import database_now_ms
from persistence.tables import books, worker_leases
from tests.api.catalogue import isbn13
from tests.system.databases import fresh_database
from tests.system.load import post_many
from tests.system.servers import running_service

WORKERS = 4
BOOKS = int(os.environ.get("BOOKSHELF_MANY_WORKERS_BOOKS", "20000"))


def a_book(number: int) -> dict:
    return {"title": f"Book {number}", "isbn": isbn13(number), "pages": 100,
            "price": {"amount": 1000}, "publication_year": 2020}


async def count_live_leases(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(
            select(func.count()).where(worker_leases.c.expires_at_ms > database_now_ms())
        ))


async def eventually(read: Callable[[], Awaitable[int]], expected: int) -> int:
    """The value `read` gives once it is `expected`, or after 60 s whatever it is then."""
    deadline = time.monotonic() + 60
    value = await read()
    while value != expected and time.monotonic() < deadline:
        await asyncio.sleep(0.2)  # polling another process's state: no event to wait on
        value = await read()
    return value


async def test_four_workers_creating_books_at_once_make_no_duplicate_id(
    database_url: str, tmp_path: Path
) -> None:
    async with fresh_database(database_url, tmp_path) as url:
        engine = create_async_engine(url)
        # Four workers' full budgets (2 x DATABASE_POOL_SIZE each, README: Configuration) and
        # the test session's own pools must fit PostgreSQL's 100 connections together: at 10
        # they came within a few of it, and a refused lease renewal stops a worker's ids.
        with running_service(url, workers=WORKERS, log=tmp_path / "uvicorn.log",
                             DATABASE_POOL_SIZE="8") as base_url:
            # Each worker leases its id while starting; load only once all of them can serve.
            live_leases = await eventually(lambda: count_live_leases(engine), WORKERS)
            outcome = await post_many(base_url, "/books", a_book, BOOKS)

        async with engine.connect() as connection:
            stored = await connection.scalar(select(func.count()).select_from(books))
        still_leased = await count_live_leases(engine)
        await engine.dispose()

    ids = [int(body["id"]) for body in outcome.bodies if "id" in body]
    by_worker = Counter(decode(i).worker_id for i in ids)
    print(f"\n{BOOKS} books by {WORKERS} workers: ids per worker id {dict(by_worker)}")
    assert outcome.errors == Counter()
    assert outcome.statuses == Counter({201: BOOKS})  # no 5xx, no 409 from a clashing key
    assert len(set(ids)) == BOOKS
    assert stored == BOOKS
    assert live_leases == WORKERS  # one worker id each, all different
    assert len(by_worker) > 1  # the load really was spread over processes
    assert still_leased == 0  # a clean shutdown releases every lease
