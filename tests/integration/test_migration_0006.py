"""Migration 0006 on a database with publications: SQLite's table is rebuilt so its ids are
never used again, every row and index is kept as it was, and the failed ones get theirs."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.tables import event_publications as log
from tests.integration.migrating import database_at, migrate


@pytest.fixture
async def engine_at_0005(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with database_at("0005", database_url, tmp_path) as engine:
        yield engine


# The table as 0006 left it (0008 added trace_context and request_id).
AT_0006 = [column for column in log.c if column.name not in ("trace_context", "request_id")]


def row(n: int, **state: int | str | None) -> dict[str, object]:
    return {"event_type": "AuthorAddedToBook", "schema_version": 2,
            "payload": {"book_id": 7001, "author_id": 8000 + n, "sequence": n},
            "aggregate_id": 7001, "subscriber": "author", "listener": "author.credit_book",
            "created_at_ms": n, "attempts": 0, "next_attempt_at_ms": n, "last_error": None,
            "completed_at_ms": None, "failed_at_ms": None} | state


async def test_upgrading_keeps_every_publication_and_never_reuses_an_id(
    engine_at_0005: AsyncEngine,
) -> None:
    engine = engine_at_0005
    async with engine.begin() as connection:
        await connection.execute(insert(log), [
            row(1, completed_at_ms=1), row(2, failed_at_ms=2, attempts=4, last_error="boom"),
            row(3)])
        before = (await connection.execute(select(*AT_0006).order_by(log.c.id))).all()

    await migrate(engine, "0006")

    async with engine.begin() as connection:
        after = (await connection.execute(select(*AT_0006).order_by(log.c.id))).all()
        await connection.execute(delete(log))  # a purge of everything
        new = await connection.scalar(insert(log).values(row(4)).returning(log.c.id))
        indexes = await connection.run_sync(
            lambda sync: {i["name"] for i in inspect(sync).get_indexes("event_publications")})
        if connection.dialect.name == "sqlite":
            table_sql = await connection.scalar(text(
                "SELECT sql FROM sqlite_master WHERE name = 'event_publications'"))
            assert "AUTOINCREMENT" in table_sql
    assert [tuple(r) for r in after] == [tuple(r) for r in before]
    assert new > max(r.id for r in before)
    assert {"ix_event_publications_due", "ix_event_publications_failed",
            "ix_event_publications_stream", "ix_event_publications_completed"} <= indexes
