"""What the service does to its database when it starts."""

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
    container, app = app_on(tmp_path / "untouched.db", migrate_on_startup=False, worker_id=7)

    async with LifespanManager(app):
        assert await table_names(container) == set()


async def test_without_a_schema_to_lease_a_worker_id_from_startup_refuses(tmp_path: Path) -> None:
    _, app = app_on(tmp_path / "untouched.db", migrate_on_startup=False)

    with pytest.raises(CannotLeaseWorkerId, match="unreachable or not migrated"):
        async with LifespanManager(app):
            pass
