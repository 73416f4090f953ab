"""/health/ready counts the event backlog on every probe: the count must not grow with the
completed publications kept for a week (issue 11: at 10^7 rows every replica turned unready
at once). Checked on the plan the database makes for the statement the service sends."""

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from modules.settings import Settings
from modules.shared_kernel.infrastructure.outbox.operations import PublicationOperations
from persistence.database import create_engine
from persistence.migrations import upgrade_to_head
from tests.system.databases import fresh_database

COMPLETED, OPEN, FAILED = 50_000, 30, 7
T = TypeVar("T")

# A row per n: completed below COMPLETED, then open, then given up on.
ROWS = """
    INSERT INTO event_publications (event_type, schema_version, payload, aggregate_id,
        subscriber, listener, created_at_ms, attempts, next_attempt_at_ms, last_error,
        completed_at_ms, failed_at_ms)
    SELECT 'AuthorAddedToBook', 2, '{"book_id": 1, "author_id": 2, "sequence": 1}', n,
        'author', 'author.credit_book', n, 1, 4102444800000, NULL,
        CASE WHEN n <= :completed THEN n END,
        CASE WHEN n > :completed + :open THEN n END
    FROM numbers
"""
NUMBERS = {
    "postgresql": "WITH numbers AS (SELECT generate_series(1, :total) AS n)",
    "sqlite": "WITH RECURSIVE numbers(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM numbers "
              "WHERE n < :total)",
}


@pytest.fixture
async def busy_log(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A database of its own whose log holds a week of completed publications."""
    async with fresh_database(database_url, tmp_path) as url:
        engine = create_engine(url)
        await upgrade_to_head(engine)
        async with engine.begin() as connection:
            dialect = connection.dialect.name
            await connection.execute(text(NUMBERS[dialect] + ROWS), {
                "total": COMPLETED + OPEN + FAILED, "completed": COMPLETED, "open": OPEN})
            await connection.execute(text("ANALYZE" if dialect == "sqlite"
                                          else "ANALYZE event_publications"))
        yield engine
        await engine.dispose()


async def plan(connection: AsyncConnection, statement: str) -> list[str]:
    if connection.dialect.name == "sqlite":
        rows = await connection.execute(text("EXPLAIN QUERY PLAN " + statement))
        return [row.detail for row in rows]
    return list((await connection.execute(text("EXPLAIN " + statement))).scalars())


async def sent_by(engine: AsyncEngine, read: Callable[[], Awaitable[T]]) -> tuple[T, list[str]]:
    """What `read` returns, and the statements on the publication log it sent."""
    sent: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        if "event_publications" in statement:  # not SQLite's connection set-up
            sent.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        return await read(), sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def whole_table_reads(engine: AsyncEngine, statement: str) -> list[str]:
    async with engine.connect() as connection:
        steps = await plan(connection, statement)
    return [step for step in steps
            if "Seq Scan on event_publications" in step  # PostgreSQL
            or step.strip() == "SCAN event_publications"]  # SQLite


async def test_the_backlog_counts_read_only_open_and_failed_publications(
    busy_log: AsyncEngine,
) -> None:
    counts, [statement] = await sent_by(
        busy_log, PublicationOperations(busy_log, Settings()).counts)

    assert counts == {"pending": OPEN, "failed": FAILED}
    assert await whole_table_reads(busy_log, statement) == []


async def test_the_metrics_backlog_with_the_oldest_open_age_reads_no_whole_table_either(
    busy_log: AsyncEngine,
) -> None:
    backlog, [statement] = await sent_by(
        busy_log, PublicationOperations(busy_log, Settings()).backlog)

    assert (backlog["pending"], backlog["failed"]) == (OPEN, FAILED)
    # The oldest open row was created at COMPLETED + 1 ms after the epoch: decades ago.
    assert backlog["oldest_open_age_ms"] > 50 * 365 * 24 * 3600 * 1000
    assert await whole_table_reads(busy_log, statement) == []
