"""Migrating a scratch database to a given revision, up or down, as the service would."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from alembic import command
from persistence.database import create_engine
from persistence.migrations import alembic_config
from tests.system.databases import fresh_database


async def migrate(engine: AsyncEngine, revision: str, *, down: bool = False) -> None:
    def run(connection: Connection) -> None:
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)


@asynccontextmanager
async def database_at(revision: str, like_url: str, folder: Path) -> AsyncIterator[AsyncEngine]:
    """A fresh database (beside `like_url`) migrated up to `revision`."""
    async with fresh_database(like_url, folder) as url:
        engine = create_engine(url)
        try:
            await migrate(engine, revision)
            yield engine
        finally:
            await engine.dispose()
