"""A snowflake worker id leased from the database, so no two live processes share one.

Why each rule holds (the README has the operator's version):
- A lease's expiry is in the database's clock; a lease is taken over only when that clock has
  passed its expiry, and only with a compare-and-swap on the expiry that was read.
- The holder stops making ids on its own before that expiry: `held()` compares a monotonic
  deadline, set before each renewal is sent and shortened by a safety factor. A process that
  was paused past it makes no id until a renewal confirms the lease is still its own.
- Host clocks may differ from the database's by at most `max_clock_skew_ms` (checked at every
  lease and renewal), so the ids a holder made are stamped no later than its expiry plus that
  skew; whoever leases the id next makes no id stamped before then (`Grant.not_before_ms`).
"""

import math
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from modules.shared_kernel.domain.snowflake import MAX_WORKER_ID
from persistence.clock import database_now_ms
from persistence.tables import worker_leases

SAFETY = 0.8  # stop using the id when 80 % of the lease's time has passed unconfirmed
ATTEMPTS = 50


class CannotLeaseWorkerId(RuntimeError):
    """No worker id can be had; the service must not start making ids."""


@dataclass(frozen=True)
class Grant:
    worker_id: int
    not_before_ms: int | None  # a previous holder may have stamped ids up to this time


def _wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


def _holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


class WorkerLease:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        ttl_s: float = 30.0,
        max_clock_skew_ms: int = 1000,
        holder: str | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        wall_clock_ms: Callable[[], int] = _wall_clock_ms,
    ) -> None:
        self._engine = engine
        self._ttl_ms = int(ttl_s * 1000)
        self._ttl_s = ttl_s
        self._max_skew_ms = max_clock_skew_ms
        self.holder = holder or _holder_name()
        self._monotonic = monotonic
        self._wall_clock_ms = wall_clock_ms
        self._deadline = -math.inf
        self.worker_id: int | None = None

    def held(self) -> bool:
        """Whether ids may still be made with the leased worker id."""
        return self._monotonic() < self._deadline

    async def acquire(self) -> Grant:
        """Lease the lowest worker id never used, else the lowest expired one."""
        try:
            return await self._acquire()
        except (SQLAlchemyError, OSError) as error:
            raise CannotLeaseWorkerId(
                "no worker id could be leased: the database is unreachable or not migrated "
                f"({type(error).__name__})"
            ) from error

    async def _acquire(self) -> Grant:
        for _ in range(ATTEMPTS):
            async with self._engine.connect() as connection:
                now = await self._database_now(connection)
                rows = (await connection.execute(
                    select(worker_leases.c.worker_id, worker_leases.c.expires_at_ms)
                )).all()
            expiries = {row.worker_id: row.expires_at_ms for row in rows}
            never_used = next((w for w in range(MAX_WORKER_ID + 1) if w not in expiries), None)
            if never_used is not None:
                if await self._claim_new(never_used):
                    return Grant(never_used, not_before_ms=None)
                continue
            expired = sorted(w for w, expiry in expiries.items() if expiry <= now)
            if not expired:
                raise CannotLeaseWorkerId(
                    f"all {MAX_WORKER_ID + 1} worker ids are leased by live processes"
                )
            worker_id = expired[0]
            if await self._take_over(worker_id, expiries[worker_id]):
                return Grant(worker_id, not_before_ms=expiries[worker_id] + self._max_skew_ms)
        raise CannotLeaseWorkerId(f"no worker id could be leased in {ATTEMPTS} attempts")

    async def renew(self) -> bool:
        """Extend the lease; False if another process has taken it over meanwhile."""
        if self.worker_id is None:
            return False
        started = self._monotonic()
        async with self._engine.begin() as connection:
            await self._database_now(connection)
            renewed = await connection.execute(
                update(worker_leases)
                .where(worker_leases.c.worker_id == self.worker_id,
                       worker_leases.c.holder == self.holder)
                .values(expires_at_ms=database_now_ms() + self._ttl_ms)
            )
        if renewed.rowcount != 1:
            self._deadline = -math.inf
            self.worker_id = None
            return False
        self._confirmed(started)
        return True

    async def release(self) -> None:
        """Let the worker id go (it counts as expired from now)."""
        if self.worker_id is None:
            return
        self._deadline = -math.inf
        async with self._engine.begin() as connection:
            await connection.execute(
                update(worker_leases)
                .where(worker_leases.c.worker_id == self.worker_id,
                       worker_leases.c.holder == self.holder)
                .values(expires_at_ms=database_now_ms())
            )
        self.worker_id = None

    async def _claim_new(self, worker_id: int) -> bool:
        started = self._monotonic()
        try:
            async with self._engine.begin() as connection:
                await connection.execute(insert(worker_leases).values(
                    worker_id=worker_id, holder=self.holder, acquired_at_ms=database_now_ms(),
                    expires_at_ms=database_now_ms() + self._ttl_ms,
                ))
        except IntegrityError:  # another process claimed it first
            return False
        self.worker_id = worker_id
        self._confirmed(started)
        return True

    async def _take_over(self, worker_id: int, seen_expiry: int) -> bool:
        started = self._monotonic()
        async with self._engine.begin() as connection:
            now = database_now_ms()
            taken = await connection.execute(
                update(worker_leases)
                .where(worker_leases.c.worker_id == worker_id,
                       worker_leases.c.expires_at_ms == seen_expiry,
                       worker_leases.c.expires_at_ms <= now)
                .values(holder=self.holder, acquired_at_ms=now, expires_at_ms=now + self._ttl_ms)
            )
        if taken.rowcount != 1:
            return False
        self.worker_id = worker_id
        self._confirmed(started)
        return True

    def _confirmed(self, started: float) -> None:
        # `started` was read before the statement went out, so the database's expiry is at
        # least ttl after it; SAFETY leaves room for the two clocks' rates to differ.
        self._deadline = started + self._ttl_s * SAFETY

    async def _database_now(self, connection: AsyncConnection) -> int:
        before = self._wall_clock_ms()
        database_now = int(await connection.scalar(select(database_now_ms())) or 0)
        after = self._wall_clock_ms()
        skew = database_now - (before + after) // 2
        if abs(skew) > self._max_skew_ms:
            raise CannotLeaseWorkerId(
                f"this host's clock is {skew} ms off the database's, more than "
                f"MAX_CLOCK_SKEW_MS={self._max_skew_ms}; synchronise it (NTP) to make ids"
            )
        return database_now
