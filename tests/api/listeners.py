"""Listeners for tests: the real one, after failing as a lost connection would."""

from typing import Any


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
