"""A database of its own for a test that runs the service in other processes."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine


@asynccontextmanager
async def fresh_database(like_url: str, folder: Path) -> AsyncIterator[str]:
    """An empty database on the same server as `like_url` (a new file for SQLite), named
    after it: `bookshelf_test_1a2b3c4d5e6f` for `bookshelf_test`."""
    url = make_url(like_url)
    if url.get_backend_name() == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / 'fresh.db'}"
        return
    # Named after the database it is like: engineers and CI runs sharing a server can tell
    # theirs apart (and clean up after a run that was killed).
    name = f"{url.database or 'bookshelf'}_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
