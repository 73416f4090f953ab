"""Listeners for tests: the real one, after failing as a lost connection would."""

import contextlib
from collections.abc import Iterator
from typing import Any

from dependency_injector import providers

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
