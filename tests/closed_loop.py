"""Callers in a closed loop: each asks again the moment it is served, as clients on kept-alive
connections do (wrk among them). Under such a loop an unfair pool serves one caller over and
over (persistence/turns.py)."""

import asyncio
from collections.abc import Awaitable, Callable


async def served_in_a_closed_loop(serve_one: Callable[[], Awaitable[object]], *, workers: int,
                                  rounds: int) -> list[int]:
    """The order in which `workers` callers, `rounds` times each, were served."""
    served: list[int] = []

    async def worker(n: int) -> None:
        for _ in range(rounds):
            await serve_one()
            served.append(n)  # no await since the turn ended: the order is the turns' order

    await asyncio.gather(*(worker(n) for n in range(workers)))
    return served
