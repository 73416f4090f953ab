"""Run a commuting change again when it lost an optimistic-locking race.

Only for work that is safe to repeat: event handlers (idempotent by design) and commands
whose effect does not depend on what the other writer did (crediting another author).
"""

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable, Iterator
from typing import ParamSpec, TypeVar

from modules.shared_kernel.domain.errors import ConcurrentChange

P = ParamSpec("P")
T = TypeVar("T")

ATTEMPTS = 12
FIRST_DELAY_S = 0.002
MAX_DELAY_S = 0.2

# Told of each race lost and about to be run again, with the operation's name (the file of
# the use case or listener: one file, one thing). Metrics count them; nobody is told otherwise.
_watchers: list[Callable[[str], None]] = []


@contextlib.contextmanager
def lost_races_watched(watcher: Callable[[str], None]) -> Iterator[None]:
    _watchers.append(watcher)
    try:
        yield
    finally:
        _watchers.remove(watcher)


async def retry_on_conflict(attempt: Callable[P, Awaitable[T]],
                            *args: P.args, **kwargs: P.kwargs) -> T:
    """Call `attempt(*args, **kwargs)` until it does not raise ConcurrentChange, at most
    ATTEMPTS times."""
    for number in range(1, ATTEMPTS):
        try:
            return await attempt(*args, **kwargs)
        except ConcurrentChange:
            for watcher in _watchers:
                watcher(_operation(attempt))
            # Full jitter: writers that collided once should not collide again in lockstep.
            await asyncio.sleep(random.uniform(0, min(MAX_DELAY_S, FIRST_DELAY_S * 2**number)))
    return await attempt(*args, **kwargs)  # the last one: a race lost again is the caller's


def _operation(attempt: Callable[..., object]) -> str:
    return attempt.__module__.rpartition(".")[2]  # a function's module, or its class's
