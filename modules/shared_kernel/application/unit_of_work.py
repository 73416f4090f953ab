"""The contract every module's Unit of Work keeps."""

from types import TracebackType
from typing import Protocol, Self


class UnitOfWork(Protocol):
    """One transaction: `commit()` makes it stand and delivers the events it recorded;
    leaving the block without commit rolls everything back."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...
