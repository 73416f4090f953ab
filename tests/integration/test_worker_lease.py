"""Leasing snowflake worker ids from the database."""

import asyncio
import itertools
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from modules.shared_kernel.domain.snowflake import (
    MAX_WORKER_ID,
    SnowflakeGenerator,
    WorkerIdNotHeld,
    decode,
)
from modules.shared_kernel.infrastructure.worker_lease import (
    SAFETY,
    CannotLeaseWorkerId,
    WorkerLease,
)
from persistence.clock import database_now_ms
from persistence.tables import worker_leases

_names = itertools.count()


def lease(engine: AsyncEngine, **options) -> WorkerLease:  # type: ignore[no-untyped-def]
    return WorkerLease(engine, holder=f"test-{next(_names)}", **options)


@pytest.fixture
async def leases(engine: AsyncEngine) -> AsyncIterator[None]:
    """Test leases are removed afterwards; the app's own lease is left alone."""
    yield
    async with engine.begin() as connection:
        await connection.execute(delete(worker_leases).where(worker_leases.c.holder.like("test-%")))


async def occupy_every_other_id(engine: AsyncEngine) -> None:
    """Live leases on every worker id not held by a test lease or the running app, so only
    takeovers of the tests' own leases remain (dead processes' old rows are dropped)."""
    async with engine.begin() as connection:
        await connection.execute(delete(worker_leases).where(
            ~worker_leases.c.holder.like("test-%"),
            worker_leases.c.expires_at_ms <= database_now_ms(),
        ))
        used = set(await connection.scalars(select(worker_leases.c.worker_id)))
        rows = [{"worker_id": w, "holder": f"test-occupant-{w}", "acquired_at_ms": 0,
                 "expires_at_ms": 2**62} for w in range(MAX_WORKER_ID + 1) if w not in used]
        if rows:
            await connection.execute(insert(worker_leases), rows)


async def expiry_of(engine: AsyncEngine, worker_id: int) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(
            select(worker_leases.c.expires_at_ms).where(worker_leases.c.worker_id == worker_id)
        ))


async def database_now(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(database_now_ms())))


async def test_two_leases_never_share_a_worker_id(engine, leases) -> None:
    first, second = lease(engine), lease(engine)

    grants = [await first.acquire(), await second.acquire()]

    assert grants[0].worker_id != grants[1].worker_id
    assert first.held()
    assert second.held()


async def test_leases_taken_at_once_are_all_different(engine, leases) -> None:
    many = [lease(engine) for _ in range(20)]

    grants = await asyncio.gather(*[one.acquire() for one in many])

    assert len({grant.worker_id for grant in grants}) == 20


async def test_a_live_lease_is_never_taken_over(engine, leases) -> None:
    holder = lease(engine, ttl_s=30)
    await holder.acquire()
    await occupy_every_other_id(engine)

    with pytest.raises(CannotLeaseWorkerId, match="all 1024 worker ids are leased"):
        await lease(engine).acquire()


async def test_an_expired_lease_is_taken_over_and_its_old_holder_notices(engine, leases) -> None:
    paused = lease(engine, ttl_s=0.3)
    worker_id = (await paused.acquire()).worker_id
    await occupy_every_other_id(engine)
    await asyncio.sleep(0.5)  # the holder is "paused" past its lease
    old_expiry = await expiry_of(engine, worker_id)

    successor = lease(engine, max_clock_skew_ms=250)
    grant = await successor.acquire()

    assert grant.worker_id == worker_id
    assert grant.not_before_ms == old_expiry + 250
    assert not paused.held()
    assert not await paused.renew()
    assert not paused.held()


async def test_a_cleanly_released_lease_counts_as_expired_at_once(engine, leases) -> None:
    leaving = lease(engine)
    worker_id = (await leaving.acquire()).worker_id
    await occupy_every_other_id(engine)

    await leaving.release()

    assert not leaving.held()
    assert await expiry_of(engine, worker_id) <= await database_now(engine)
    assert (await lease(engine).acquire()).worker_id == worker_id


async def test_renewal_moves_the_expiry_on(engine, leases) -> None:
    holder = lease(engine, ttl_s=5)
    worker_id = (await holder.acquire()).worker_id
    before = await expiry_of(engine, worker_id)
    await asyncio.sleep(0.05)

    assert await holder.renew()
    assert await expiry_of(engine, worker_id) > before


class SteppedMonotonic:
    def __init__(self) -> None:
        self.now = time.monotonic()

    def __call__(self) -> float:
        return self.now


async def test_a_paused_process_makes_no_id_until_its_lease_is_confirmed(engine, leases) -> None:
    clock = SteppedMonotonic()
    holder = lease(engine, ttl_s=10, monotonic=clock)
    grant = await holder.acquire()
    make = SnowflakeGenerator(grant.worker_id, permit=holder.held)
    assert decode(make()).worker_id == grant.worker_id

    clock.now += 10 * SAFETY  # a pause as long as the safe part of the lease

    with pytest.raises(WorkerIdNotHeld):
        make()
    assert await holder.renew()  # nobody took it meanwhile: it is still ours
    assert decode(make()).worker_id == grant.worker_id


async def test_a_host_whose_clock_is_far_off_may_not_lease(engine, leases) -> None:
    behind = lease(engine, max_clock_skew_ms=1000,
                   wall_clock_ms=lambda: time.time_ns() // 1_000_000 - 5_000)

    with pytest.raises(CannotLeaseWorkerId, match=r"clock is .* off the database's"):
        await behind.acquire()
