"""Migration 0008 on a database with publications: each keeps every value and gains an empty
trace context and request id; going back down drops both and keeps the rows."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.migrating import database_at, migrate

PUBLICATION = (
    "INSERT INTO event_publications (event_type, schema_version, payload, aggregate_id, "
    "subscriber, listener, created_at_ms, attempts, next_attempt_at_ms) VALUES "
    "('BookDeleted', 2, '{\"book_id\": 7001, \"author_ids\": [], \"sequence\": 3}', 7001, "
    "'author', 'author.forget_deleted_book', 5, 0, 5)")
ROWS = text("SELECT id, event_type, payload, aggregate_id, listener FROM event_publications")


@pytest.fixture
async def engine_at_0007(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with database_at("0007", database_url, tmp_path) as engine:
        async with engine.begin() as connection:
            await connection.execute(text(PUBLICATION))
        yield engine


async def columns(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return await connection.run_sync(lambda sync: {
            c["name"] for c in inspect(sync).get_columns("event_publications")})


async def test_publications_gain_an_empty_trace_context_and_request_id_and_keep_the_rest(
    engine_at_0007: AsyncEngine,
) -> None:
    engine = engine_at_0007
    async with engine.connect() as connection:
        before = (await connection.execute(ROWS)).all()

    await migrate(engine, "0008")

    async with engine.connect() as connection:
        assert (await connection.execute(ROWS)).all() == before
        assert await connection.scalar(text(
            "SELECT count(*) FROM event_publications "
            "WHERE trace_context IS NULL AND request_id IS NULL")) == 1
    assert {"trace_context", "request_id"} <= await columns(engine)

    await migrate(engine, "0007", down=True)

    async with engine.connect() as connection:
        assert (await connection.execute(ROWS)).all() == before
    assert not {"trace_context", "request_id"} & await columns(engine)
