"""Arranging the worker_leases table for a test: leases held by test holders (named `test-…`,
removed after each test by the `leases` fixture), and reading what the table says."""

import itertools

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from modules.shared_kernel.domain.snowflake import MAX_WORKER_ID
from modules.shared_kernel.infrastructure.sql_lease_table import SqlLeaseTable
from modules.shared_kernel.infrastructure.worker_lease import WorkerLease
from persistence.clock import database_now_ms
from persistence.tables import worker_leases

FOREVER_MS = 2**62
_names = itertools.count()


def lease(engine: AsyncEngine, **options) -> WorkerLease:  # type: ignore[no-untyped-def]
    return WorkerLease(SqlLeaseTable(engine), holder=f"test-{next(_names)}", **options)


async def occupy_every_other_id(engine: AsyncEngine) -> None:
    """Live leases on every worker id without a live lease, so only takeovers of the tests'
    own leases remain (dead processes' old rows are dropped)."""
    async with engine.begin() as connection:
        await connection.execute(worker_leases.delete().where(
            ~worker_leases.c.holder.like("test-%"),
            worker_leases.c.expires_at_ms <= database_now_ms(),
        ))
        used = set(await connection.scalars(select(worker_leases.c.worker_id)))
        rows = [{"worker_id": w, "holder": f"test-occupant-{w}", "acquired_at_ms": 0,
                 "expires_at_ms": FOREVER_MS} for w in range(MAX_WORKER_ID + 1) if w not in used]
        if rows:
            await connection.execute(insert(worker_leases), rows)


async def lowest_worker_id_never_leased(engine: AsyncEngine) -> int:
    """The worker id the next leasing process would take."""
    async with engine.connect() as connection:
        used = set(await connection.scalars(select(worker_leases.c.worker_id)))
    return min(set(range(MAX_WORKER_ID + 1)) - used)


async def expire_an_occupant(engine: AsyncEngine) -> int:
    """The lowest occupant's lease runs out now: the one worker id left to take over."""
    async with engine.begin() as connection:
        worker_id = int(await connection.scalar(
            select(worker_leases.c.worker_id)
            .where(worker_leases.c.holder.like("test-occupant-%"))
            .order_by(worker_leases.c.worker_id).limit(1)
        ))
        await connection.execute(
            update(worker_leases).where(worker_leases.c.worker_id == worker_id)
            .values(expires_at_ms=database_now_ms())
        )
    return worker_id


async def take_over_as_another_process(engine: AsyncEngine, worker_id: int) -> None:
    """What a successor does once this process's lease on `worker_id` has run out."""
    async with engine.begin() as connection:
        await connection.execute(
            update(worker_leases).where(worker_leases.c.worker_id == worker_id)
            .values(holder="test-successor", expires_at_ms=FOREVER_MS)
        )


async def holder_of(engine: AsyncEngine, worker_id: int) -> str | None:
    async with engine.connect() as connection:
        return await connection.scalar(
            select(worker_leases.c.holder).where(worker_leases.c.worker_id == worker_id)
        )


async def expiry_of(engine: AsyncEngine, worker_id: int) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(
            select(worker_leases.c.expires_at_ms).where(worker_leases.c.worker_id == worker_id)
        ))


async def database_now(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(database_now_ms())))


async def run_out(engine: AsyncEngine, worker_id: int) -> None:
    """The lease on `worker_id` runs out now, as if its holder had been paused past it."""
    async with engine.begin() as connection:
        await connection.execute(
            update(worker_leases).where(worker_leases.c.worker_id == worker_id)
            .values(expires_at_ms=database_now_ms())
        )
