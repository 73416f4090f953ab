"""Integration fixtures: the real database, migrated by starting the app once."""

from collections.abc import Iterator, Sequence

import pytest
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from modules.author.infrastructure.unit_of_work import SqlAlchemyAuthorUnitOfWork
from modules.book.infrastructure.unit_of_work import SqlAlchemyBookUnitOfWork
from modules.container import ApplicationContainer
from modules.shared_kernel.domain.events import DomainEvent


class PublishedEvents(list[DomainEvent]):
    """Collects what a Unit of Work hands over after commit."""

    async def __call__(self, events: Sequence[DomainEvent]) -> None:
        self.extend(events)


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
def published() -> PublishedEvents:
    return PublishedEvents()


@pytest.fixture
def book_uow(session_factory, published):  # type: ignore[no-untyped-def]
    return lambda: SqlAlchemyBookUnitOfWork(session_factory, published)


@pytest.fixture
def author_uow(session_factory, published):  # type: ignore[no-untyped-def]
    return lambda: SqlAlchemyAuthorUnitOfWork(session_factory, published)


@pytest.fixture
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements sent while the test runs (to count round trips)."""
    sent: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        sent.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    yield sent
    event.remove(engine.sync_engine, "before_cursor_execute", record)
