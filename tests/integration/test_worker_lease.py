"""Leasing snowflake worker ids from the database."""

import asyncio
import time

import pytest

from modules.shared_kernel.domain.snowflake import SnowflakeGenerator, WorkerIdNotHeld, decode
from modules.shared_kernel.infrastructure.sql_lease_table import SqlLeaseTable
from modules.shared_kernel.infrastructure.worker_lease import (
    SAFETY,
    CannotLeaseWorkerId,
    WorkerLease,
)
from tests.integration.leases import (
    database_now,
    expiry_of,
    lease,
    occupy_every_other_id,
    run_out,
)


def no_ids_made() -> None:
    return None


async def test_two_leases_never_share_a_worker_id(engine, leases) -> None:
    first, second = lease(engine), lease(engine)

    grants = [await first.acquire(), await second.acquire()]

    assert grants[0].worker_id != grants[1].worker_id
    assert first.held(grants[0])
    assert second.held(grants[1])


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
    lost = await paused.acquire()
    worker_id = lost.worker_id
    await occupy_every_other_id(engine)
    await asyncio.sleep(0.5)  # the holder is "paused" past its lease
    old_expiry = await expiry_of(engine, worker_id)

    successor = lease(engine, max_clock_skew_ms=250)
    grant = await successor.acquire()

    assert grant.worker_id == worker_id
    assert grant.not_before_ms == old_expiry + 250
    assert not paused.held(lost)
    assert not await paused.renew()
    assert not paused.held(lost)


async def test_a_cleanly_released_lease_counts_as_expired_at_once(engine, leases) -> None:
    leaving = lease(engine)
    grant = await leaving.acquire()
    await occupy_every_other_id(engine)

    await leaving.release(no_ids_made)

    assert not leaving.held(grant)
    assert await expiry_of(engine, grant.worker_id) <= await database_now(engine)
    assert (await lease(engine).acquire()).worker_id == grant.worker_id


async def test_renewal_moves_the_expiry_on(engine, leases) -> None:
    holder = lease(engine, ttl_s=5)
    worker_id = (await holder.acquire()).worker_id
    before = await expiry_of(engine, worker_id)
    await asyncio.sleep(0.05)

    assert await holder.renew()
    assert await expiry_of(engine, worker_id) > before


class SteppedClock:
    def __init__(self) -> None:
        self.now = time.monotonic()

    def __call__(self) -> float:
        return self.now


async def test_a_paused_process_makes_no_id_until_its_lease_is_confirmed(engine, leases) -> None:
    clock = SteppedClock()
    holder = lease(engine, ttl_s=10, clock=clock)
    grant = await holder.acquire()
    make = SnowflakeGenerator(grant.worker_id, permit=lambda: holder.held(grant))
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


class SteppedWallClock:
    """This host's clock in epoch ms, which an operator (or NTP) may step."""

    def __init__(self) -> None:
        self.offset_ms = 0

    def __call__(self) -> int:
        return time.time_ns() // 1_000_000 + self.offset_ms


async def test_a_renewal_refused_for_clock_skew_stops_ids_at_once(engine, leases) -> None:
    wall_clock = SteppedWallClock()
    holder = lease(engine, ttl_s=30, max_clock_skew_ms=1000, wall_clock_ms=wall_clock)
    grant = await holder.acquire()

    wall_clock.offset_ms = 3000  # stepped ahead, well inside what is left of the lease

    with pytest.raises(CannotLeaseWorkerId, match=r"clock is .* off the database's"):
        await holder.renew()
    assert not holder.held(grant)


class SlowToAnswer(SqlLeaseTable):
    """The database's clock is read only after `delay_s`: a pool with no free connection, or
    a SQLite writer that holds the file, as four busy workers saw in CI."""

    delay_s = 0.0

    async def now_ms(self) -> int:
        await asyncio.sleep(self.delay_s)
        return await super().now_ms()


async def test_a_slow_round_trip_is_not_taken_for_clock_skew(engine, leases) -> None:
    table = SlowToAnswer(engine)
    holder = WorkerLease(table, holder="test-slow", ttl_s=30, max_clock_skew_ms=1000)
    grant = await holder.acquire()
    table.delay_s = 2.5  # the midpoint of the wait is 1.25 s before the database's reading

    assert await holder.renew()
    assert holder.held(grant)


async def test_a_lease_taken_again_on_the_same_worker_id_is_a_new_grant(engine, leases) -> None:
    # A lease long enough that the new grant is still confirmed when asked about, however
    # slow the machine; the first one is made to run out instead of waited out.
    holder = lease(engine, ttl_s=30)
    first = await holder.acquire()
    await occupy_every_other_id(engine)
    await run_out(engine, first.worker_id)  # paused past its lease, which a successor took
    successor = lease(engine)
    await successor.acquire()
    await successor.release(no_ids_made)
    assert not await holder.renew()

    second = await holder.acquire()

    assert second.worker_id == first.worker_id
    assert not holder.held(first)  # ids under `first` could repeat the successor's
    assert holder.held(second)


async def test_no_id_is_stamped_past_the_safe_part_of_the_lease_whatever_the_clock_does(
    engine, leases
) -> None:
    wall_clock = SteppedWallClock()
    holder = lease(engine, ttl_s=30, wall_clock_ms=wall_clock)
    grant = await holder.acquire()

    wall_clock.offset_ms = int(30_000 * SAFETY)  # stepped 24 s ahead between two renewals

    assert not holder.held(grant)  # its stamps could reach a successor's


async def test_a_released_worker_id_is_not_reused_before_the_last_stamp_made_with_it(
    engine, leases
) -> None:
    wall_clock = SteppedWallClock()
    leaving = lease(engine, max_clock_skew_ms=100, wall_clock_ms=wall_clock)
    grant = await leaving.acquire()
    wall_clock.offset_ms = 5_000  # stepped ahead since the last renewal
    make = SnowflakeGenerator(grant.worker_id, clock=wall_clock,
                              permit=lambda: leaving.held(grant))
    make()

    await leaving.release(make.last_stamp_ms)

    # A successor takes it over once the expiry is past, and stamps after it plus the skew.
    assert await expiry_of(engine, grant.worker_id) >= make.last_stamp_ms()
