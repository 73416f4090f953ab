"""This process's worker id as the service keeps it: leased or pinned, renewed, replaced."""

import logging
import time
from collections.abc import Callable

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from modules.settings import Settings
from modules.shared_kernel.domain import snowflake
from modules.shared_kernel.domain.snowflake import WorkerIdNotHeld, decode
from modules.shared_kernel.infrastructure.worker_ids import worker_id_for_this_process
from modules.shared_kernel.infrastructure.worker_lease import CannotLeaseWorkerId
from tests.eventually import eventually
from tests.integration.leases import (
    expire_an_occupant,
    holder_of,
    lease,
    lowest_worker_id_never_leased,
    occupy_every_other_id,
    take_over_as_another_process,
)


async def worker_id_of_next_id() -> int | None:
    """The worker id in the next id this process makes; None while it may make none."""
    try:
        return decode(snowflake.next_id()).worker_id
    except WorkerIdNotHeld:
        return None


async def test_while_a_new_lease_waits_out_its_not_before_time_no_id_is_made(
    engine: AsyncEngine, leases: None
) -> None:
    # Renewed every 0.1 s; a takeover waits up to 0.6 s for the previous holder's last stamps.
    settings = Settings(worker_lease_ttl_s=0.3, max_clock_skew_ms=600)
    async with worker_id_for_this_process(engine, settings):
        lost = decode(snowflake.next_id()).worker_id
        await occupy_every_other_id(engine)
        spare = await expire_an_occupant(engine)

        await take_over_as_another_process(engine, lost)  # as if this process had been paused
        await eventually(lambda: holder_of(engine, spare),
                         lambda holder: not str(holder).startswith("test-"))

        with pytest.raises(WorkerIdNotHeld):
            snowflake.next_id()  # the old generator must not go on with `lost`
        assert await eventually(worker_id_of_next_id, lambda w: w is not None) == spare


async def test_a_pinned_worker_id_is_not_leased_to_another_process(
    engine: AsyncEngine, leases: None
) -> None:
    pinned = await lowest_worker_id_never_leased(engine)

    async with worker_id_for_this_process(engine, Settings(worker_id=pinned)):
        grant = await lease(engine).acquire()

    assert grant.worker_id != pinned


async def test_a_process_pinned_to_a_worker_id_another_one_holds_refuses_to_start(
    engine: AsyncEngine, leases: None
) -> None:
    held = (await lease(engine).acquire()).worker_id

    with pytest.raises(CannotLeaseWorkerId, match=f"worker id {held} .*WORKER_ID"):
        async with worker_id_for_this_process(engine, Settings(worker_id=held)):
            pass


async def test_of_two_processes_pinned_to_one_worker_id_the_second_refuses_in_one_line(
    engine: AsyncEngine, leases: None, caplog: pytest.LogCaptureFixture
) -> None:
    pinned = await lowest_worker_id_never_leased(engine)

    async with worker_id_for_this_process(engine, Settings(worker_id=pinned)):
        caplog.clear()
        with pytest.raises(CannotLeaseWorkerId):
            async with worker_id_for_this_process(engine, Settings(worker_id=pinned)):
                pass

    [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert line.startswith(f"cannot start: worker id {pinned} (pinned by WORKER_ID) is leased")


def host_suspended_for(seconds: float) -> Callable[[int], float]:
    """time.clock_gettime as it reads after the host was suspended for `seconds`: a real
    suspend cannot happen inside a test, so the OS clock is replaced for its length."""
    real = time.clock_gettime

    def clock_gettime(clock: int) -> float:
        return real(clock) + (seconds if clock == time.CLOCK_BOOTTIME else 0.0)

    return clock_gettime


@pytest.mark.skipif(not hasattr(time, "CLOCK_BOOTTIME"), reason="CLOCK_BOOTTIME is Linux's")
async def test_after_a_suspend_longer_than_the_lease_no_id_is_made_until_it_is_renewed(
    engine: AsyncEngine, leases: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with worker_id_for_this_process(engine, Settings(worker_lease_ttl_s=30)):
        snowflake.next_id()

        monkeypatch.setattr(time, "clock_gettime", host_suspended_for(60))

        with pytest.raises(WorkerIdNotHeld):
            snowflake.next_id()
