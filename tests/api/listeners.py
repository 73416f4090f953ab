"""Listeners for tests: the real one, after failing as a lost connection would."""

import contextlib
from collections.abc import Iterator
from typing import Any

from dependency_injector import providers
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from modules.book.domain.events import AuthorAddedToBook
from modules.container import ApplicationContainer


class FailsAtFirst:
    """The real listener, after failing its first `failures` calls."""

    def __init__(self, real: Any, failures: int) -> None:
        self.real, self.failures, self.calls = real, failures, 0
        self.received: list[Any] = []

    async def __call__(self, uow: Any, event: Any) -> None:
        self.calls += 1
        self.received.append(event)
        if self.calls <= self.failures:
            raise ConnectionError("author database unreachable")
        await self.real(uow, event)


@contextlib.contextmanager
def credit_failing(container: ApplicationContainer, *, failures: int) -> Iterator[FailsAtFirst]:
    """The Author module's credit listener fails its first `failures` calls meanwhile."""
    listener = FailsAtFirst(container.author.credit_book(), failures=failures)
    with container.author.credit_book.override(providers.Object(listener)):
        yield listener


class FailsInTheDatabase:
    """A handler whose statement the database refuses: the error SQLAlchemy raises carries
    the SQL, its parameters and the driver's message with the stored values."""

    SECRET = "s3cret-biography"

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def __call__(self, uow: Any, event: AuthorAddedToBook) -> None:
        async with self.engine.begin() as connection:  # the author exists: a duplicate key
            await connection.execute(text(
                "INSERT INTO authors (id, first_name, last_name, biography, version) "
                "VALUES (:id, 'Han', 'Kang', :biography, 1)"),
                {"id": event.author_id, "biography": self.SECRET})
