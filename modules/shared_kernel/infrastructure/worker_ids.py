"""This process's snowflake worker id for as long as it runs: pinned, or leased and renewed."""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncEngine

from modules.settings import Settings
from modules.shared_kernel.domain import snowflake
from modules.shared_kernel.infrastructure.worker_lease import CannotLeaseWorkerId, WorkerLease

log = logging.getLogger("bookshelf.ids")


@contextlib.asynccontextmanager
async def worker_id_for_this_process(
    engine: AsyncEngine, settings: Settings
) -> AsyncIterator[None]:
    # Whatever made ids before (another app in this process, in tests) does so again after.
    previous = snowflake.current_generator()
    try:
        async with _worker_id(engine, settings):
            yield
    finally:
        snowflake.use_generator(previous)


@contextlib.asynccontextmanager
async def _worker_id(engine: AsyncEngine, settings: Settings) -> AsyncIterator[None]:
    if settings.worker_id is not None:
        snowflake.use_worker(settings.worker_id,
                             max_backward_ms=settings.clock_backward_tolerance_ms)
        log.info("snowflake worker id %d (pinned by WORKER_ID)", settings.worker_id)
        yield
        return

    lease = WorkerLease(engine, ttl_s=settings.worker_lease_ttl_s,
                        max_clock_skew_ms=settings.max_clock_skew_ms)
    try:
        await _use_new_lease(lease, settings)
    except CannotLeaseWorkerId as error:
        log.critical("cannot start: %s", error)
        raise
    renewing = asyncio.create_task(_keep_renewed(lease, settings), name="worker-id-lease")
    try:
        yield
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing
        try:
            await lease.release()
        except Exception:  # the lease will simply expire
            log.warning("could not release the lease on the worker id", exc_info=True)


async def _use_new_lease(lease: WorkerLease, settings: Settings) -> None:
    grant = await lease.acquire()
    if grant.not_before_ms is not None:
        # The previous holder may have stamped ids up to then (bounded by twice the skew).
        wait_ms = grant.not_before_ms - time.time_ns() // 1_000_000
        if wait_ms > 0:
            await asyncio.sleep(wait_ms / 1000)
    snowflake.use_worker(grant.worker_id, max_backward_ms=settings.clock_backward_tolerance_ms,
                         not_before_ms=grant.not_before_ms, permit=lease.held)
    log.info("snowflake worker id %d (leased by %s)", grant.worker_id, lease.holder)


async def _keep_renewed(lease: WorkerLease, settings: Settings) -> None:
    while True:
        await asyncio.sleep(settings.worker_lease_ttl_s / 3)
        try:
            if not await lease.renew():
                log.error("the lease on the worker id was taken over (was this process "
                          "paused?); leasing another one")
                await _use_new_lease(lease, settings)
        except Exception:
            log.exception("renewing the worker id lease failed; ids stop if it stays so")
