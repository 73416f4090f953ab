"""Delivering recorded events to their listeners: at once after the sender's commit, and again
from the relay for whatever is left open.

A delivery runs the listener's handler with the publication it serves in a context variable;
the handler's Unit of Work marks that publication complete in its own transaction, so the
effect and its completion commit together (or neither does). A handler that had nothing to
change is marked complete after it returns.
"""

import contextvars
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from modules.settings import Settings
from modules.shared_kernel.application.event_bus import EventBus
from modules.shared_kernel.application.retry import retry_on_conflict
from modules.shared_kernel.domain.events import DomainEvent
from modules.shared_kernel.infrastructure.event_publications import EventPublications, Publication

log = logging.getLogger("bookshelf.events")


@dataclass
class Delivery:
    publication_id: int
    completed: bool = False


class AlreadyDelivered(Exception):
    """Another deliverer completed this publication first; this attempt's effect is undone."""


current_delivery: contextvars.ContextVar[Delivery | None] = contextvars.ContextVar(
    "current_delivery", default=None
)


class Outbox:
    def __init__(self, publications: EventPublications, bus: EventBus, settings: Settings) -> None:
        self._publications = publications
        self._bus = bus
        self._immediate = settings.event_delivery == "immediate"
        self.wake_relay: Callable[[], None] = lambda: None  # set by the running relay

    async def record(
        self, session: AsyncSession, events: Sequence[tuple[int, DomainEvent]]
    ) -> list[Publication]:
        """In the sender's transaction: one publication per event and listener."""
        return await self._publications.record(session, events, for_requests=self._immediate)

    async def complete_current_delivery(self, session: AsyncSession) -> Delivery | None:
        """In a handler's transaction: mark the publication being delivered complete."""
        delivery = current_delivery.get()
        if delivery is None or delivery.completed:
            return None
        if not await self._publications.complete_in(session, delivery.publication_id):
            raise AlreadyDelivered(delivery.publication_id)
        return delivery

    async def deliver_now(self, publications: Sequence[Publication]) -> None:
        """After the sender's commit: deliver in this request, unless the relay is to."""
        if not self._immediate:
            if publications:
                self.wake_relay()
            return
        streams = dict.fromkeys((p.aggregate_id, p.listener) for p in publications)
        for aggregate_id, listener in streams:
            await self.drain(aggregate_id, listener)

    async def drain(self, aggregate_id: int, listener: str) -> None:
        """Deliver one aggregate's open publications to one listener, oldest first, as long
        as there are any to take. If an earlier one is in another deliverer's hands, that one
        carries on with the rest: events of an aggregate are applied in order."""
        while (publication := await self._publications.claim_next(aggregate_id, listener)):
            await self.deliver(publication)

    async def deliver(self, publication: Publication) -> None:
        delivery = Delivery(publication.id)
        token = current_delivery.set(delivery)
        try:
            # Handlers are idempotent, so a lost optimistic-locking race is simply run again.
            handle = self._bus.handler(publication.listener)
            await retry_on_conflict(lambda: handle(publication.event))
            if not delivery.completed:
                await self._publications.complete(publication.id)
        except AlreadyDelivered:
            pass
        except Exception as error:
            gave_up = await self._publications.fail(publication, error)
            (log.error if gave_up else log.warning)(
                "%s of %s (publication %d, attempt %d) failed%s: %s",
                publication.listener, type(publication.event).__name__, publication.id,
                publication.attempts, "; giving up" if gave_up else "; will retry", error,
            )
        finally:
            current_delivery.reset(token)
