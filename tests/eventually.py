"""Waiting for what happens in the background (the relay, another process)."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(read: Callable[[], Awaitable[T]], until: Callable[[T], bool],
                     within_s: float = 10.0) -> T:
    """Read until `until(value)` holds; fail with the last value if it does not in time."""
    deadline = time.monotonic() + within_s
    value = await read()
    while not until(value):
        if time.monotonic() > deadline:
            raise AssertionError(f"still {value!r} after {within_s} s")
        await asyncio.sleep(0.02)  # polling state another task or process changes
        value = await read()
    return value
