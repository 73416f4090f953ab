"""A concurrent HTTP load from the test process (aiohttp: httpx's pool was the bottleneck)."""

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp


@dataclass
class Outcome:
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    bodies: list[Any] = field(default_factory=list)


async def post_many(base_url: str, path: str, bodies: Callable[[int], dict[str, Any]],
                    count: int, *, connections: int = 64) -> Outcome:
    """POST `count` bodies over `connections` keep-alive connections at once."""
    outcome = Outcome()
    numbers = iter(range(count))
    connector = aiohttp.TCPConnector(limit=connections)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(base_url, connector=connector, timeout=timeout) as session:

        async def client() -> None:
            for number in numbers:
                try:
                    async with session.post(path, json=bodies(number)) as response:
                        outcome.statuses[response.status] += 1
                        outcome.bodies.append(await response.json(content_type=None))
                except (aiohttp.ClientError, TimeoutError) as error:
                    outcome.errors[type(error).__name__] += 1

        await asyncio.gather(*[client() for _ in range(connections)])
    return outcome
