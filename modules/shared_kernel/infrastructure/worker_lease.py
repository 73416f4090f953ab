"""A snowflake worker id leased from the database, so no two live processes share one.

Why each rule holds (the README has the operator's version):
- A lease's expiry is in the database's clock; a lease is taken over only when that clock has
  passed its expiry, and only with a compare-and-swap on the expiry that was read.
- The holder stops making ids on its own before that expiry: `held(grant)` compares a deadline,
  set before each renewal is sent and shortened by a safety factor, on a clock that counts
  time the host spent suspended. A process that was paused or suspended past it makes no id
  until a renewal confirms the lease is still its own.
- Each lease taken is a new Grant, and `held(grant)` is true only for the one held now: a
  generator made for an earlier lease stops the moment it is lost, even while the new lease
  waits out its not-before time, and even if the new lease is on the same worker id.
- The holder also makes no id stamped, by its own wall clock, at or after the database's
  time at the last confirmation plus the same safe part of the TTL: its ids are stamped before
  its expiry whatever that clock does between renewals (an NTP step forward of a minute).
  Whoever leases the id next makes no id stamped before that expiry plus the allowed skew
  (`Grant.not_before_ms`), so the two never share a millisecond.
- Host clocks may differ from the database's by at most `max_clock_skew_ms`, checked at every
  lease and renewal; a renewal refused for skew ends the deadline at once.
- A clean release lets the id expire now, or at the last stamp made with it if that is later
  (this host's clock ran ahead since the last renewal), so the next holder waits that out too.
- A pinned worker id (WORKER_ID) is leased like any other, only never a different one: so a
  leasing process never takes it while the pinned one lives, and a second process pinned to
  the same id (WORKER_ID in a .env shared by `--workers 4`) finds it held and may not start.
"""

import math
import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError

from modules.shared_kernel.domain.snowflake import MAX_WORKER_ID
from modules.shared_kernel.infrastructure.lease_table import LeaseRecord, LeaseTable

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


_BOOTTIME = getattr(time, "CLOCK_BOOTTIME", None)  # Linux only


def seconds_counting_suspend() -> float:
    """The clock of the lease's deadline, in seconds. time.monotonic (CLOCK_MONOTONIC) stops
    while the host or VM is suspended, so a process woken after a suspend longer than the TTL
    would believe it still held its worker id; Linux's CLOCK_BOOTTIME goes on counting.
    Elsewhere it falls back to time.monotonic, which does not count a suspend."""
    if _BOOTTIME is None:
        return time.monotonic()
    return time.clock_gettime(_BOOTTIME)


def _holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


class WorkerLease:
    def __init__(
        self,
        table: LeaseTable,
        *,
        ttl_s: float = 30.0,
        max_clock_skew_ms: int = 1000,
        holder: str | None = None,
        pinned: int | None = None,
        clock: Callable[[], float] = seconds_counting_suspend,
        wall_clock_ms: Callable[[], int] = _wall_clock_ms,
    ) -> None:
        self._table = table
        self._ttl_ms = int(ttl_s * 1000)
        self._ttl_s = ttl_s
        self._max_skew_ms = max_clock_skew_ms
        self.holder = holder or _holder_name()
        self.pinned = pinned
        self._clock = clock
        self._wall_clock_ms = wall_clock_ms
        self._deadline = -math.inf
        self._stamp_deadline_ms = -math.inf  # the wall clock's reading at which ids stop
        self._grant: Grant | None = None
        self.expires_at_ms: int | None = None  # in the database's clock, as last confirmed

    @property
    def worker_id(self) -> int | None:
        return None if self._grant is None else self._grant.worker_id

    def held(self, grant: Grant) -> bool:
        """Whether ids may still be made under `grant`: it is the lease held now, confirmed
        recently enough. Asked before every id by the generator made for `grant`."""
        return (grant is self._grant and self._clock() < self._deadline
                and self._wall_clock_ms() < self._stamp_deadline_ms)

    async def acquire(self) -> Grant:
        """Lease the pinned worker id, else the lowest one never used, else the lowest expired
        one. Whatever was held before is not ours any more from the start: no id is made
        under it again."""
        self._lost()
        try:
            return await self._acquire()
        except (SQLAlchemyError, OSError) as error:
            raise CannotLeaseWorkerId(
                "no worker id could be leased: the database is unreachable or not migrated "
                f"({type(error).__name__})"
            ) from error

    async def _acquire(self) -> Grant:
        for _ in range(ATTEMPTS):
            now = await self._database_now()
            records = await self._table.records()
            grant = self._choose(now, records)
            seen = records.get(grant.worker_id)
            started = self._clock()
            if await self._record(grant, None if seen is None else seen.expires_at_ms):
                self._grant = grant
                self._confirmed(started, now)
                return grant
        raise CannotLeaseWorkerId(f"no worker id could be leased in {ATTEMPTS} attempts")

    def _choose(self, now: int, records: dict[int, LeaseRecord]) -> Grant:
        if self.pinned is not None:
            return self._pinned(self.pinned, now, records.get(self.pinned))
        expiries = {w: record.expires_at_ms for w, record in records.items()}
        never_used = next((w for w in range(MAX_WORKER_ID + 1) if w not in expiries), None)
        if never_used is not None:
            return Grant(never_used, not_before_ms=None)
        expired = sorted(w for w, expiry in expiries.items() if expiry <= now)
        if not expired:
            raise CannotLeaseWorkerId(
                f"all {MAX_WORKER_ID + 1} worker ids are leased by live processes"
            )
        return Grant(expired[0], not_before_ms=expiries[expired[0]] + self._max_skew_ms)

    def _pinned(self, worker_id: int, now: int, record: LeaseRecord | None) -> Grant:
        if record is None:
            return Grant(worker_id, not_before_ms=None)
        if record.expires_at_ms <= now:
            return Grant(worker_id, not_before_ms=record.expires_at_ms + self._max_skew_ms)
        raise CannotLeaseWorkerId(
            f"worker id {worker_id} (pinned by WORKER_ID) is leased to {record.holder} for "
            f"another {(record.expires_at_ms - now) / 1000:.0f} s: each process needs its own "
            "WORKER_ID (not one shared by --workers N or a common .env), or none to lease one; "
            "a pin held by a process that crashed is free once that lease has run out"
        )

    async def _record(self, grant: Grant, seen_expiry: int | None) -> bool:
        """False if another process got there first."""
        if seen_expiry is None:
            return await self._table.claim_new(grant.worker_id, self.holder, self._ttl_ms)
        return await self._table.take_over(grant.worker_id, self.holder, seen_expiry,
                                           self._ttl_ms)

    async def renew(self) -> bool:
        """Extend the lease; False if another process has taken it over meanwhile."""
        if self.worker_id is None:
            return False
        started = self._clock()
        try:
            now = await self._database_now()
        except CannotLeaseWorkerId:
            # A clock this far off is not one to stamp ids with: stop now, not at the last
            # confirmed deadline (its stamps could be the next holder's, were it not for
            # the stamp deadline too).
            self._deadline = -math.inf
            raise
        if not await self._table.extend(self.worker_id, self.holder, self._ttl_ms):
            self._lost()
            return False
        self._confirmed(started, now)
        return True

    async def release(self, last_stamp_ms: Callable[[], int | None]) -> None:
        """Let the worker id go: it counts as expired from now, or from the last stamp of an id
        made under it if that is later (this host's clock may have run ahead of the
        database's since the last renewal; the next holder must wait that out too).
        `last_stamp_ms` is asked once no more ids can be made, so its answer is final."""
        worker_id = self.worker_id
        if worker_id is None:
            return
        self._lost()
        await self._table.release(worker_id, self.holder, last_stamp_ms())

    def _lost(self) -> None:
        self._grant = None
        self._deadline = -math.inf
        self.expires_at_ms = None

    def _confirmed(self, started: float, database_now: int) -> None:
        # Both were read before the statement went out, so the database's expiry is at least
        # ttl after each; SAFETY leaves room for the clocks' rates to differ.
        self._deadline = started + self._ttl_s * SAFETY
        self._stamp_deadline_ms = database_now + self._ttl_ms * SAFETY
        self.expires_at_ms = database_now + self._ttl_ms

    async def _database_now(self) -> int:
        before = self._wall_clock_ms()
        database_now = await self._table.now_ms()
        after = self._wall_clock_ms()
        # The database read its clock somewhere between `before` and `after`, so this host is
        # off by at least the distance from that window, and by no more than we can tell from
        # it. A slow round trip (a busy pool, a writer holding SQLite) widens the window; it is
        # no evidence of skew, and taking its midpoint as the truth refused healthy renewals.
        if database_now > after:
            skew = database_now - after
        elif database_now < before:
            skew = database_now - before
        else:
            skew = 0
        if abs(skew) > self._max_skew_ms:
            raise CannotLeaseWorkerId(
                f"this host's clock is {skew} ms off the database's, more than "
                f"MAX_CLOCK_SKEW_MS={self._max_skew_ms}; synchronise it (NTP) to make ids"
            )
        return database_now
