"""What the service does to its database when it starts."""

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from asgi_lifespan import LifespanManager
from dependency_injector import providers
from sqlalchemy import inspect

from app import create_app
from modules.container import ApplicationContainer
from modules.settings import Settings
from modules.shared_kernel.infrastructure.worker_lease import CannotLeaseWorkerId
from persistence.migrate import MigrationFailed
from tests.system.servers import free_port


def app_on(database: Path, **settings: Any) -> tuple[ApplicationContainer, Any]:
    container = ApplicationContainer()
    container.settings.override(providers.Object(
        Settings(database_url=f"sqlite+aiosqlite:///{database}", **settings)
    ))
    return container, create_app(container)


async def table_names(container: ApplicationContainer) -> set[str]:
    async with container.engine().connect() as connection:
        return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))


async def test_startup_migrates_an_empty_database_to_the_newest_schema(tmp_path: Path) -> None:
    container, app = app_on(tmp_path / "fresh.db")

    async with LifespanManager(app):
        assert {"books", "book_authors", "authors", "author_books", "worker_leases",
                "alembic_version"} <= await table_names(container)


async def test_with_migrations_turned_off_startup_leaves_the_schema_alone(tmp_path: Path) -> None:
    container, app = app_on(tmp_path / "untouched.db", migrate_on_startup=False)

    with pytest.raises(CannotLeaseWorkerId):
        async with LifespanManager(app):
            pass
    assert await table_names(container) == set()


@pytest.mark.parametrize("worker_id", [None, 7], ids=["leased", "pinned"])
async def test_without_a_schema_to_lease_a_worker_id_from_startup_refuses(
    tmp_path: Path, worker_id: int | None
) -> None:
    _, app = app_on(tmp_path / "untouched.db", migrate_on_startup=False, worker_id=worker_id)

    with pytest.raises(CannotLeaseWorkerId, match="unreachable or not migrated"):
        async with LifespanManager(app):
            pass


def app_on_postgresql_at(port: int, **settings: Any) -> Any:
    container = ApplicationContainer()
    container.settings.override(providers.Object(Settings(
        database_url=f"postgresql+asyncpg://bookshelf@127.0.0.1:{port}/bookshelf",
        database_connect_timeout_s=1, **settings,
    )))
    return create_app(container)


async def test_startup_with_no_database_listening_fails_at_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = app_on_postgresql_at(free_port())

    with pytest.raises(MigrationFailed, match="ConnectionRefusedError"):
        async with LifespanManager(app):
            pass
    assert "cannot start: the database" in caplog.text


async def test_startup_against_a_database_that_never_answers_fails_within_the_timeout(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A server that accepts connections and never says a word.
    silent = await asyncio.start_server(lambda _r, _w: None, "127.0.0.1", 0)
    port = silent.sockets[0].getsockname()[1]
    app = app_on_postgresql_at(port)
    started = time.monotonic()

    try:
        with pytest.raises(MigrationFailed, match="TimeoutError"):
            async with LifespanManager(app, startup_timeout=30):
                pass
    finally:
        silent.close()

    assert time.monotonic() - started < 10  # the 1 s connect timeout, not asyncpg's 60 s
    assert "no answer in time" in caplog.text
