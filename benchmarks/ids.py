"""How many snowflake ids one generator makes per second, against the format's limit.

    poetry run python benchmarks/ids.py [seconds per run, default 3]

The layout allows 4096 ids per millisecond per worker (4 096 000 per second); past that the
generator waits for the next millisecond. Reports the bare generator and the one the service
uses (it asks the worker-id lease before every id).
"""

import asyncio
import functools
import sys
import time

from modules.shared_kernel.domain.snowflake import MAX_SEQUENCE, SnowflakeGenerator
from modules.shared_kernel.infrastructure.lease_table import LeaseRecord
from modules.shared_kernel.infrastructure.worker_lease import WorkerLease

FORMAT_LIMIT_PER_S = (MAX_SEQUENCE + 1) * 1000


def ids_per_second(generator: SnowflakeGenerator, seconds: float) -> float:
    made, started = 0, time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        for _ in range(10_000):
            generator()
        made += 10_000
    return made / (time.perf_counter() - started)


class EveryIdFree:
    """A lease table with nothing in it, so that the lease check itself is what is measured."""

    async def now_ms(self) -> int:
        return time.time_ns() // 1_000_000

    async def records(self) -> dict[int, LeaseRecord]:
        return {}

    async def claim_new(self, *_: object) -> bool:
        return True

    async def take_over(self, *_: object) -> bool:
        return True

    async def extend(self, *_: object) -> bool:
        return True

    async def release(self, *_: object) -> None:
        return None


def served_generator() -> SnowflakeGenerator:
    """The generator the service makes: it asks the real lease before every id."""
    lease = WorkerLease(EveryIdFree(), ttl_s=3600)
    grant = asyncio.run(lease.acquire())
    return SnowflakeGenerator(grant.worker_id, permit=functools.partial(lease.held, grant))


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    runs = {
        "bare generator": SnowflakeGenerator(1),
        "with lease check (as served)": served_generator(),
    }
    print(f"format limit: {FORMAT_LIMIT_PER_S:,} ids/s per worker")
    for name, generator in runs.items():
        rate = ids_per_second(generator, seconds)
        print(f"{name:30s} {rate:>12,.0f} ids/s  {rate / FORMAT_LIMIT_PER_S:6.1%} of the limit")


if __name__ == "__main__":
    main()
