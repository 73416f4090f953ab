"""The worker_leases table: one row per worker id ever leased, times in the database's clock."""

from sqlalchemy import Update, case, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from modules.shared_kernel.infrastructure.lease_table import LeaseRecord
from persistence.clock import database_now_ms
from persistence.tables import worker_leases


class SqlLeaseTable:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def now_ms(self) -> int:
        async with self._engine.connect() as connection:
            return int(await connection.scalar(select(database_now_ms())) or 0)

    async def records(self) -> dict[int, LeaseRecord]:
        async with self._engine.connect() as connection:
            rows = (await connection.execute(select(
                worker_leases.c.worker_id, worker_leases.c.holder, worker_leases.c.expires_at_ms
            ))).all()
        return {row.worker_id: LeaseRecord(row.worker_id, row.holder, row.expires_at_ms)
                for row in rows}

    async def claim_new(self, worker_id: int, holder: str, ttl_ms: int) -> bool:
        try:
            async with self._engine.begin() as connection:
                await connection.execute(insert(worker_leases).values(
                    worker_id=worker_id, holder=holder, acquired_at_ms=database_now_ms(),
                    expires_at_ms=database_now_ms() + ttl_ms,
                ))
        except IntegrityError:  # another process claimed it first
            return False
        return True

    async def take_over(self, worker_id: int, holder: str, seen_expiry_ms: int,
                        ttl_ms: int) -> bool:
        # Compare-and-swap on the expiry that was read: of two processes taking over the
        # same expired lease, one updates the row and the other finds it changed.
        now = database_now_ms()
        return await self._changed(
            update(worker_leases)
            .where(worker_leases.c.worker_id == worker_id,
                   worker_leases.c.expires_at_ms == seen_expiry_ms,
                   worker_leases.c.expires_at_ms <= now)
            .values(holder=holder, acquired_at_ms=now, expires_at_ms=now + ttl_ms)
        )

    async def extend(self, worker_id: int, holder: str, ttl_ms: int) -> bool:
        return await self._changed(
            update(worker_leases)
            .where(worker_leases.c.worker_id == worker_id, worker_leases.c.holder == holder)
            .values(expires_at_ms=database_now_ms() + ttl_ms)
        )

    async def release(self, worker_id: int, holder: str, last_stamp_ms: int | None) -> None:
        now = database_now_ms()
        expiry = now if last_stamp_ms is None else case(
            (now < literal(last_stamp_ms), literal(last_stamp_ms)), else_=now
        )
        await self._changed(
            update(worker_leases)
            .where(worker_leases.c.worker_id == worker_id, worker_leases.c.holder == holder)
            .values(expires_at_ms=expiry)
        )

    async def _changed(self, statement: Update) -> bool:
        async with self._engine.begin() as connection:
            result = await connection.execute(statement)
        return result.rowcount == 1
