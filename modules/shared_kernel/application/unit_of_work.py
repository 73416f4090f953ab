"""The contract every module's Unit of Work keeps."""

from types import TracebackType
from typing import Protocol, Self

from modules.shared_kernel.application.publications import Publication


class UnitOfWork(Protocol):
    """One transaction per `async with` block: `commit()` stores the aggregates' changes
    together with a publication of every event they recorded, and does nothing more;
    leaving the block without commit rolls everything back. `published` collects what the
    commits stored, for the message bus to deliver afterwards."""

    published: list[Publication]

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...
