"""The worker_leases table in a dict, with a database clock a test can move.

It keeps SqlLeaseTable's contract (tests/integration/test_lease_tables.py runs the same tests
on both), so WorkerLease's rules can be driven through hours of simulated time in milliseconds.
"""

import time
from collections.abc import Callable

from modules.shared_kernel.infrastructure.lease_table import LeaseRecord


def _wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class InMemoryLeaseTable:
    def __init__(self, clock_ms: Callable[[], int] = _wall_clock_ms) -> None:
        self._clock_ms = clock_ms
        self.rows: dict[int, LeaseRecord] = {}

    async def now_ms(self) -> int:
        return self._clock_ms()

    async def records(self) -> dict[int, LeaseRecord]:
        return dict(self.rows)

    async def claim_new(self, worker_id: int, holder: str, ttl_ms: int) -> bool:
        if worker_id in self.rows:
            return False
        self.rows[worker_id] = LeaseRecord(worker_id, holder, self._clock_ms() + ttl_ms)
        return True

    async def take_over(self, worker_id: int, holder: str, seen_expiry_ms: int,
                        ttl_ms: int) -> bool:
        row, now = self.rows.get(worker_id), self._clock_ms()
        if row is None or row.expires_at_ms != seen_expiry_ms or row.expires_at_ms > now:
            return False
        self.rows[worker_id] = LeaseRecord(worker_id, holder, now + ttl_ms)
        return True

    async def extend(self, worker_id: int, holder: str, ttl_ms: int) -> bool:
        row = self.rows.get(worker_id)
        if row is None or row.holder != holder:
            return False
        self.rows[worker_id] = LeaseRecord(worker_id, holder, self._clock_ms() + ttl_ms)
        return True

    async def release(self, worker_id: int, holder: str, last_stamp_ms: int | None) -> None:
        row = self.rows.get(worker_id)
        if row is not None and row.holder == holder:
            expiry = max(self._clock_ms(), last_stamp_ms or 0)
            self.rows[worker_id] = LeaseRecord(worker_id, holder, expiry)
