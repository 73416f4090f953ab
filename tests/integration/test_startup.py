"""What the service does to its database when it starts."""

from pathlib import Path

from asgi_lifespan import LifespanManager
from dependency_injector import providers
from sqlalchemy import inspect

from app import create_app
from modules.container import ApplicationContainer
from modules.settings import Settings


def app_on(database: Path, *, migrate: bool) -> tuple[ApplicationContainer, object]:
    container = ApplicationContainer()
    settings = Settings(database_url=f"sqlite+aiosqlite:///{database}", migrate_on_startup=migrate)
    container.settings.override(providers.Object(settings))
    return container, create_app(container)


async def table_names(container: ApplicationContainer) -> set[str]:
    async with container.engine().connect() as connection:
        return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))


async def test_startup_migrates_an_empty_database_to_the_newest_schema(tmp_path: Path) -> None:
    container, app = app_on(tmp_path / "fresh.db", migrate=True)

    async with LifespanManager(app):  # type: ignore[arg-type]
        assert {"books", "book_authors", "authors", "author_books", "alembic_version"} <= (
            await table_names(container)
        )


async def test_with_migrations_turned_off_startup_leaves_the_schema_alone(tmp_path: Path) -> None:
    container, app = app_on(tmp_path / "untouched.db", migrate=False)

    async with LifespanManager(app):  # type: ignore[arg-type]
        assert await table_names(container) == set()
