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
from modules.shared_kernel.infrastructure.event_publications import EventPublications
from modules.shared_kernel.infrastructure.outbox import Outbox

log = logging.getLogger("bookshelf.events")

BATCH = 100
PURGE_EVERY_S = 600.0


class EventRelay:
    def __init__(self, outbox: Outbox, publications: EventPublications, settings: Settings) -> None:
        self._outbox = outbox
        self._publications = publications
        self._interval_s = settings.event_relay_interval_s
        self._woken = asyncio.Event()
        self._last_purge = -PURGE_EVERY_S

    def wake(self) -> None:
        self._woken.set()

    async def deliver_due(self) -> int:
        """One round: claim what is due and deliver it; how many were delivered."""
        claimed = await self._publications.claim_due(BATCH)
        for publication in claimed:
            await self._outbox.deliver(publication)
            await self._outbox.drain(publication.aggregate_id, publication.listener)
        return len(claimed)

    async def run(self) -> None:
        self._outbox.wake_relay = self.wake
        while True:
            try:
                delivered = await self.deliver_due()
                await self._purge_now_and_then()
            except Exception:
                log.exception("the event relay failed a round; trying again")
                delivered = 0
            if not delivered:  # a full round may have left more: go on at once
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._woken.wait(), self._interval_s)
                self._woken.clear()

    async def _purge_now_and_then(self) -> None:
        if time.monotonic() - self._last_purge >= PURGE_EVERY_S:
            self._last_purge = time.monotonic()
            removed = await self._publications.purge_completed()
            if removed:
                log.info("removed %d completed event publications past retention", removed)
