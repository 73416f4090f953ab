"""Delivering publications to their listeners: at once after the sender's commit (the
message bus calls `after_commit`), and from the relay for whatever is left open.

A delivery runs the listener's handler with a unit of work made for the publication it
serves: that unit's commit marks the publication complete in the handler's own transaction,
so the effect and its completion commit together, or neither does. An outbound handler
(the broker's) stores nothing: once it returns, the message is confirmed by the broker, and
the publication is completed after it. A crash in between sends the message again later,
with the same id, for the consumer to drop.
"""

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from opentelemetry.trace import Span, StatusCode

from modules.settings import Settings
from modules.shared_kernel.application.listeners import Listeners
from modules.shared_kernel.application.publications import AlreadyDelivered, Publication
from modules.shared_kernel.application.retry import retry_on_conflict
from modules.shared_kernel.infrastructure.error_reports import ErrorReports
from modules.shared_kernel.infrastructure.logs import request_id
from modules.shared_kernel.infrastructure.outbox.claims import PublicationClaims
from modules.shared_kernel.infrastructure.outbox.failures import failure_text
from modules.shared_kernel.infrastructure.tracing import Tracing, untraced

if TYPE_CHECKING:
    from modules.shared_kernel.infrastructure.metrics.service_metrics import ServiceMetrics

log = logging.getLogger("bookshelf.events")


class EventDelivery:
    def __init__(self, listeners: Listeners, claims: PublicationClaims, settings: Settings,
                 relay_wakeup: asyncio.Event, tracing: Tracing, error_reports: ErrorReports,
                 metrics: "ServiceMetrics | None" = None) -> None:
        self._listeners = listeners
        self._tracing = tracing
        self._error_reports = error_reports
        self._claims = claims
        self._immediate = settings.event_delivery == "immediate"
        self._relay_wakeup = relay_wakeup
        self._metrics = metrics  # None when metrics are off

    async def after_commit(self, published: Sequence[Publication]) -> None:
        """Deliver what a commit published, in this request (or wake the relay to). Never
        raises: the publications are stored, so anything that fails here only leaves them
        to the relay, and the request's answer stays the use case's."""
        if not self._immediate:
            self._relay_wakeup.set()
            return
        try:
            in_process = [p for p in published if not self._listeners.named(p.listener).outbound]
            if len(in_process) < len(published):
                self._relay_wakeup.set()  # the outbound ones wait for it, unclaimed: in order
            # The request holds what it wrote as claimed already (see PublicationLog), so it
            # delivers it at once, without a claim or a read: even ahead of an older one of
            # the same stream still open (being retried, or in another request's hands). The
            # listeners' sequence checks give the same outcome in any order (I6).
            for publication in in_process:
                await self.deliver(publication)
        except Exception as error:
            log.warning("delivery after commit stopped, left to the relay: %s",
                        failure_text(error))

    async def drain(self, aggregate_id: int, subscriber: str) -> None:
        """Deliver one stream's open publications, oldest first, as long as there are any
        to take. If one is in another deliverer's hands, that one carries on with the rest."""
        while True:
            with untraced():
                publication = await self._claims.claim_next(aggregate_id, subscriber)
            if publication is None:
                return
            await self.deliver(publication)

    async def deliver(self, publication: Publication) -> None:
        # The span continues the trace of the request that recorded the event, whether
        # this runs in that request, in the relay of another process, or after a restart;
        # the log lines and error reports name that request.
        token = request_id.set(publication.request_id) if request_id.get() is None else None
        try:
            await self._deliver_traced(publication)
        finally:
            if token is not None:
                request_id.reset(token)

    async def _deliver_traced(self, publication: Publication) -> None:
        with self._tracing.span(
            f"deliver {type(publication.event).__name__}", parent=publication.trace_context,
            attributes={"messaging.system": "bookshelf.outbox",
                        "messaging.operation.type": "process",
                        "messaging.message.id": str(publication.id),
                        "bookshelf.listener": publication.listener,
                        "bookshelf.attempt": publication.attempts},
        ) as span:
            await self._deliver(publication, span)

    async def _deliver(self, publication: Publication, span: Span | None) -> None:
        listener = self._listeners.named(publication.listener)
        handle = listener.handler()
        uow = listener.unit_of_work(completing=publication.id)
        try:
            # Handlers are idempotent, so a lost optimistic-locking race is simply run again.
            await retry_on_conflict(
                handle, uow, publication if listener.outbound else publication.event)
            if not uow.completed:  # the handler stored nothing: complete it on its own
                await self._claims.complete(publication.id)
            outcome = "delivered"
        except AlreadyDelivered:
            outcome = "already_delivered"
        except Exception as error:
            if span is not None:  # the text that is safe to store, not the exception's own
                span.set_attribute("error.type", type(error).__name__)
                span.set_status(StatusCode.ERROR, failure_text(error))
            gave_up = await self._claims.fail(publication, error)
            self._error_reports.delivery_failed(publication, error, gave_up=gave_up)
            outcome = "gave_up" if gave_up else "failed"
            (log.error if gave_up else log.warning)(
                "%s of %s (publication %d, attempt %d) failed%s: %s",
                publication.listener, type(publication.event).__name__, publication.id,
                publication.attempts, "; giving up" if gave_up else "; will retry",
                failure_text(error),
            )
        if self._metrics is not None:
            self._metrics.delivered(publication.listener, outcome)
