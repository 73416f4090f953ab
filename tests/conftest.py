"""Fixtures shared by the integration and API tests.

They run against PostgreSQL when TEST_DATABASE_URL is set (CI does), and against a fresh
embedded SQLite file otherwise: the same tests, a real database either way.
"""

import os
from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from dependency_injector import providers
from fastapi import FastAPI
from sqlalchemy import text

from app import create_app
from modules.container import ApplicationContainer
from modules.settings import Settings
from persistence.database import is_sqlite
from persistence.tables import metadata


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        return configured
    return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'bookshelf-test.db'}"


@pytest.fixture(scope="session")
def container(database_url: str) -> ApplicationContainer:
    container = ApplicationContainer()
    container.settings.override(providers.Object(Settings(
        database_url=database_url,
        # Retries and the relay on a test's time scale: milliseconds, not seconds.
        event_retry_base_s=0.02, event_retry_max_s=0.2, event_relay_interval_s=0.05,
        event_max_attempts=4,
    )))
    return container


@pytest.fixture(scope="session")
async def app(container: ApplicationContainer) -> AsyncIterator[FastAPI]:
    application = create_app(container)
    async with LifespanManager(application):  # runs the migrations, like a real start
        yield application


@pytest.fixture(autouse=True)
async def empty_tables(request: pytest.FixtureRequest) -> None:
    """Every database test starts from an empty catalogue."""
    if "app" not in request.fixturenames:
        return
    container: ApplicationContainer = request.getfixturevalue("container")
    engine = container.engine()
    # The catalogue and its event log; the app's own worker-id lease stays.
    names = [t.name for t in reversed(metadata.sorted_tables) if t.name != "worker_leases"]
    async with engine.begin() as connection:
        if is_sqlite(str(engine.url)):
            for name in names:
                await connection.execute(text(f"DELETE FROM {name}"))
        else:
            await connection.execute(text(f"TRUNCATE {', '.join(names)}"))


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bookshelf.test") as client:
        yield client
