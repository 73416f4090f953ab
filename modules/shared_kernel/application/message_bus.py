"""Runs a use case, then delivers what it published.

    route -> bus.run(use_case, ...) -> use_case(unit_of_work, ...) -> unit_of_work.commit()
          <- the bus hands unit_of_work.published to delivery -> each listener's handler

The commit has stored the change and its publications in one transaction before delivery
starts, so delivery can only be late, never lost: whatever goes wrong in it is left to the
relay, and the caller's answer is the use case's (issue 10, I4).
"""

from collections.abc import Awaitable, Callable, Sequence
from typing import Concatenate, Generic, ParamSpec, TypeVar

from modules.shared_kernel.application.publications import Publication
from modules.shared_kernel.application.unit_of_work import UnitOfWork

U = TypeVar("U", bound=UnitOfWork)
P = ParamSpec("P")
T = TypeVar("T")

Deliver = Callable[[Sequence[Publication]], Awaitable[None]]


class MessageBus(Generic[U]):
    def __init__(self, unit_of_work: Callable[[], U], deliver: Deliver) -> None:
        self._unit_of_work = unit_of_work
        self._deliver = deliver

    async def run(self, use_case: Callable[Concatenate[U, P], Awaitable[T]],
                  *args: P.args, **kwargs: P.kwargs) -> T:
        uow = self._unit_of_work()
        try:
            return await use_case(uow, *args, **kwargs)
        finally:
            # Also after a use case that committed and then failed: what it stored is out.
            if uow.published:
                await self._deliver(uow.published)
