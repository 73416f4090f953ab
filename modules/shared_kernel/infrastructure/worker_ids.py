"""This process's snowflake worker id for as long as it runs: leased (the one WORKER_ID pins,
or any free one), renewed, and replaced if another process took it over."""

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from modules.settings import Settings
from modules.shared_kernel.domain import snowflake
from modules.shared_kernel.infrastructure.sql_lease_table import SqlLeaseTable
from modules.shared_kernel.infrastructure.tracing import untraced
from modules.shared_kernel.infrastructure.worker_lease import CannotLeaseWorkerId, WorkerLease

if TYPE_CHECKING:
    from modules.shared_kernel.infrastructure.metrics.service_metrics import ServiceMetrics

log = logging.getLogger("bookshelf.ids")


@contextlib.asynccontextmanager
async def worker_id_for_this_process(
    engine: AsyncEngine, settings: Settings, metrics: "ServiceMetrics | None" = None
) -> AsyncIterator[None]:
    # Whatever made ids before (another app in this process, in tests) does so again after.
    previous = snowflake.current_generator()
    try:
        async with _worker_id(engine, settings, metrics):
            yield
    finally:
        snowflake.use_generator(previous)


@contextlib.asynccontextmanager
async def _worker_id(engine: AsyncEngine, settings: Settings,
                     metrics: "ServiceMetrics | None") -> AsyncIterator[None]:
    # A pinned id is leased too: otherwise leasing processes, and other processes given the
    # same pin, could not see that it is in use.
    lease = WorkerLease(SqlLeaseTable(engine), ttl_s=settings.worker_lease_ttl_s,
                        max_clock_skew_ms=settings.max_clock_skew_ms, pinned=settings.worker_id)
    try:
        await _use_new_lease(lease, settings, metrics)
    except CannotLeaseWorkerId as error:
        log.critical("cannot start: %s", error)
        raise
    renewing = asyncio.create_task(_keep_renewed(lease, settings, metrics),
                                   name="worker-id-lease")
    try:
        yield
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewing
        try:
            await lease.release(snowflake.current_generator().last_stamp_ms)
        except Exception:  # the lease will simply expire
            log.warning("could not release the lease on the worker id", exc_info=True)
        if metrics is not None:
            metrics.lease_lost()


async def _use_new_lease(lease: WorkerLease, settings: Settings,
                         metrics: "ServiceMetrics | None") -> None:
    grant = await lease.acquire()
    _confirmed(lease, metrics)
    if grant.not_before_ms is not None:
        # The previous holder may have stamped ids up to then (bounded by twice the skew).
        wait_ms = grant.not_before_ms - time.time_ns() // 1_000_000
        if wait_ms > 0:
            await asyncio.sleep(wait_ms / 1000)
    # The permit names this grant: the generator stops as soon as it is no longer the lease
    # held, before another one is even chosen, let alone installed.
    snowflake.use_worker(grant.worker_id, max_backward_ms=settings.clock_backward_tolerance_ms,
                         not_before_ms=grant.not_before_ms,
                         permit=functools.partial(lease.held, grant))
    log.info("snowflake worker id %d (%sleased by %s)", grant.worker_id,
             "pinned by WORKER_ID, " if lease.pinned is not None else "", lease.holder)


async def _keep_renewed(lease: WorkerLease, settings: Settings,
                        metrics: "ServiceMetrics | None") -> None:
    with untraced():
        await _renew_while_running(lease, settings, metrics)


async def _renew_while_running(lease: WorkerLease, settings: Settings,
                               metrics: "ServiceMetrics | None") -> None:
    while True:
        await asyncio.sleep(settings.worker_lease_ttl_s / 3)
        try:
            if await lease.renew():
                _confirmed(lease, metrics)
            else:
                _renewal_failed(lease, metrics)
                log.error("the lease on the worker id was taken over (was this process "
                          "paused?); leasing %s", "it again" if lease.pinned is not None
                          else "another one")
                await _use_new_lease(lease, settings, metrics)
        except CannotLeaseWorkerId as error:
            _renewal_raised(lease, metrics)
            log.error("no ids until a worker id is leased again: %s", error)
        except Exception:
            _renewal_raised(lease, metrics)
            log.exception("renewing the worker id lease failed; ids stop if it stays so")


def _confirmed(lease: WorkerLease, metrics: "ServiceMetrics | None") -> None:
    if metrics is not None and lease.expires_at_ms is not None:
        metrics.lease_confirmed(lease.expires_at_ms)


def _renewal_failed(lease: WorkerLease, metrics: "ServiceMetrics | None") -> None:
    """Counted; the expiry shown stays the last one confirmed (0 once the lease is lost)."""
    if metrics is not None:
        metrics.lease_renewal_failed()
        if lease.expires_at_ms is None:
            metrics.lease_lost()


def _renewal_raised(lease: WorkerLease, metrics: "ServiceMetrics | None") -> None:
    # With no expiry left the lease was lost, and that renewal counted, before leasing again
    # failed: one failed renewal, counted once.
    if lease.expires_at_ms is not None:
        _renewal_failed(lease, metrics)
