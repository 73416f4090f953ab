"""What a worker-id lease needs from the table that records leases, and nothing more.

The rules live in WorkerLease; the table only stores rows and makes each change atomic. Kept
apart so the rules can run against an in-memory table whose clock a test controls.
"""

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class LeaseRecord:
    worker_id: int
    holder: str
    expires_at_ms: int  # the database's clock, epoch ms


class LeaseTable(Protocol):
    async def now_ms(self) -> int:
        """The database's clock, epoch ms: every expiry is in it."""

    async def records(self) -> dict[int, LeaseRecord]:
        """Every worker id ever leased, by worker id."""

    async def claim_new(self, worker_id: int, holder: str, ttl_ms: int) -> bool:
        """Record the first lease on `worker_id`; False if it has been leased before."""

    async def take_over(self, worker_id: int, holder: str, seen_expiry_ms: int,
                        ttl_ms: int) -> bool:
        """Lease `worker_id` to `holder` if its expiry is still the one seen and has passed."""

    async def extend(self, worker_id: int, holder: str, ttl_ms: int) -> bool:
        """Move the expiry on if `holder` still holds `worker_id`."""

    async def release(self, worker_id: int, holder: str, last_stamp_ms: int | None) -> None:
        """Let `worker_id` expire now, or at `last_stamp_ms` if that is later, if `holder`
        still holds it."""
