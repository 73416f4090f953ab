"""Turns at a connection pool, first come first served.

Neither asyncpg's pool nor SQLAlchemy's is fair under load: a connection given back goes to
whichever caller asks next, ahead of those already waiting (asyncio.Queue lets a newcomer
take the item it has just woken a waiter for, and the waiter goes to the back of the line).
With more requests than connections, most waited milliseconds and a few waited seconds: the
benchmark's p99 was more than forty times its median, and some searches timed out. Callers take
a turn here first. asyncio.Semaphore queues them in order (since Python 3.11.1 a newcomer
waits behind the waiters), and lets through no more than the pool holds, so the pool itself
never makes one of them wait.
"""

import asyncio
from types import TracebackType


class Turns:
    """`async with turns:` holds a turn for the block; one Turns may be shared by any number
    of tasks at once (it keeps nothing per turn)."""

    def __init__(self, size: int, *, wait_s: float) -> None:
        self._turns = asyncio.Semaphore(size)
        self._wait_s = wait_s

    async def __aenter__(self) -> None:
        """Raises TimeoutError (answered 503) when no turn comes within `wait_s`. The wait
        is bounded only when there is one: a timer on every turn cost a read a tenth of its
        CPU."""
        if not self._turns.locked():
            await self._turns.acquire()
            return
        try:
            async with asyncio.timeout(self._wait_s):
                await self._turns.acquire()
        except TimeoutError:
            raise TimeoutError(f"no database connection came free in {self._wait_s} s") \
                from None

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        self._turns.release()
