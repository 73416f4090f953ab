"""Integration fixtures: the real database, migrated by starting the app once."""

from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from modules.author.infrastructure.unit_of_work import SqlAlchemyAuthorUnitOfWork
from modules.book.infrastructure.unit_of_work import SqlAlchemyBookUnitOfWork
from modules.container import ApplicationContainer
from modules.shared_kernel.domain.events import DomainEvent
from persistence.clock import database_now_ms
from persistence.database import create_engine
from persistence.migrations import upgrade_to_head
from persistence.reads import Reads
from persistence.tables import worker_leases
from tests.integration.sql_sent import counting
from tests.system.databases import fresh_database


class RecordingPublicationLog(list[DomainEvent]):
    """Stands in for the publication log: keeps the events a Unit of Work commits, writes no
    publication (so nothing is delivered)."""

    async def record(self, _session: AsyncSession,
                     events: Sequence[tuple[int, DomainEvent]]) -> list[Any]:
        self.extend(event for _, event in events)
        return []


@pytest.fixture
def engine(app: FastAPI, container: ApplicationContainer) -> AsyncEngine:
    engine: AsyncEngine = container.engine()
    return engine


@pytest.fixture
def session_factory(
    app: FastAPI, container: ApplicationContainer
) -> async_sessionmaker[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = container.session_factory()
    return factory


@pytest.fixture
def published() -> RecordingPublicationLog:
    return RecordingPublicationLog()


@pytest.fixture
def book_uow(session_factory, published):  # type: ignore[no-untyped-def]
    return lambda: SqlAlchemyBookUnitOfWork(session_factory, published)


@pytest.fixture
def author_uow(session_factory, published):  # type: ignore[no-untyped-def]
    return lambda: SqlAlchemyAuthorUnitOfWork(session_factory, published)


@pytest.fixture
def reads(app: FastAPI, container: ApplicationContainer) -> Reads:
    reads: Reads = container.reads()
    return reads


@pytest.fixture
def statements(engine: AsyncEngine, reads: Reads) -> Iterator[list[str]]:
    """The SQL statements this test sends, to count round trips (see sql_sent)."""
    with counting(engine, reads) as sent:
        yield sent.statements


@pytest.fixture
async def own_database(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A database of the test's own, migrated: the app's relay must not see its rows."""
    async with fresh_database(database_url, tmp_path) as url:
        engine = create_engine(url)
        await upgrade_to_head(engine)
        yield engine
        await engine.dispose()


@pytest.fixture
async def leases(engine: AsyncEngine) -> AsyncIterator[None]:
    """Test leases are removed afterwards, and so are the run-out leases of processes a test
    started and stopped; the app's own lease is left alone."""
    yield
    async with engine.begin() as connection:
        await connection.execute(worker_leases.delete().where(
            worker_leases.c.holder.like("test-%")
            | (worker_leases.c.expires_at_ms <= database_now_ms())
        ))
