"""The relay: delivers the publications nobody delivered (a failed handler, a crashed
process, delivery left to it), oldest first, and clears out old completed ones.

Several processes may run a relay against one PostgreSQL: claims skip rows another relay is
claiming (FOR UPDATE SKIP LOCKED), and a claim expires if its relay dies mid-delivery.
"""

import asyncio
import contextlib
import logging
import time

from modules.settings import Settings
from modules.shared_kernel.infrastructure.error_reports import ErrorReports
from modules.shared_kernel.infrastructure.outbox.claims import PublicationClaims
from modules.shared_kernel.infrastructure.outbox.delivery import EventDelivery
from modules.shared_kernel.infrastructure.outbox.operations import PublicationOperations
from modules.shared_kernel.infrastructure.tracing import untraced

log = logging.getLogger("bookshelf.events")

BATCH = 100
PURGE_EVERY_S = 600.0


class EventRelay:
    def __init__(self, claims: PublicationClaims, delivery: EventDelivery,
                 operations: PublicationOperations, settings: Settings,
                 wakeup: asyncio.Event, error_reports: ErrorReports) -> None:
        self._error_reports = error_reports
        self._claims = claims
        self._delivery = delivery
        self._operations = operations
        self._interval_s = settings.event_relay_interval_s
        self._wakeup = wakeup  # set by delivery in relay mode, and by a resubmission
        self._last_purge = -PURGE_EVERY_S

    async def deliver_due(self) -> int:
        """One round: claim what is due and deliver it; how many were delivered."""
        with untraced():  # a poll every second: only what it delivers is worth a span
            claimed = await self._claims.claim_due(BATCH)
        for publication in claimed:
            await self._delivery.deliver(publication)
            await self._delivery.drain(publication.aggregate_id, publication.subscriber)
        return len(claimed)

    async def run(self) -> None:
        while True:
            try:
                delivered = await self.deliver_due()
                with untraced():
                    await self._purge_now_and_then()
            except Exception as error:
                log.exception("the event relay failed a round; trying again")
                self._error_reports.unhandled(error)
                delivered = 0
            if not delivered:  # a full round may have left more: go on at once
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), self._interval_s)
                self._wakeup.clear()

    async def _purge_now_and_then(self) -> None:
        if time.monotonic() - self._last_purge >= PURGE_EVERY_S:
            self._last_purge = time.monotonic()
            removed = await self._operations.purge_completed()
            if removed:
                log.info("removed %d completed event publications past retention", removed)
