"""Recording publications: one per event and listener, in the sender's own transaction."""

from collections.abc import Sequence

from sqlalchemy import bindparam, insert
from sqlalchemy.ext.asyncio import AsyncSession

from modules.settings import Settings
from modules.shared_kernel.application.listeners import Listener, Listeners
from modules.shared_kernel.application.publications import Publication
from modules.shared_kernel.domain.events import DomainEvent
from modules.shared_kernel.infrastructure.logs import request_id
from modules.shared_kernel.infrastructure.outbox.payloads import payload_of
from modules.shared_kernel.infrastructure.tracing import current_trace_context
from persistence.clock import database_now_ms
from persistence.tables import event_publications as log


class PublicationLog:
    def __init__(self, listeners: Listeners, settings: Settings) -> None:
        self._listeners = listeners
        # Delivered by the request that wrote them, which holds them as claimed from the
        # start (its first attempt): nobody else takes them until the claim timeout has
        # passed (the request's process may have died by then). No claim is sent for them.
        self._immediate = settings.event_delivery == "immediate"
        self._claim_ms = int(settings.event_claim_timeout_s * 1000)
        self._insert = (
            insert(log)
            .values(created_at_ms=database_now_ms(),
                    next_attempt_at_ms=database_now_ms() + bindparam("relay_after_ms"))
            # sort_by_parameter_order: the returned rows line up with the rows they belong to.
            .returning(log.c.id, log.c.created_at_ms, sort_by_parameter_order=True)
        )

    def _claimed_by_the_request(self, listener: Listener) -> bool:
        # Outbound publications wait for the relay, unclaimed: it takes a stream strictly
        # oldest first, where the request would deliver its own ahead of an older open one.
        return self._immediate and not listener.outbound

    async def record(self, session: AsyncSession,
                     events: Sequence[tuple[int, DomainEvent]]) -> list[Publication]:
        """Write an entry per event and listener in `session`'s transaction."""
        targets = [(aggregate_id, event, listener, int(self._claimed_by_the_request(listener)))
                   for aggregate_id, event in events
                   for listener in self._listeners.of(type(event))]
        if not targets:
            return []
        trace_context, request = current_trace_context(), request_id.get()
        rows = [{"event_type": type(event).__name__, "schema_version": event.schema_version,
                 "payload": payload_of(event), "aggregate_id": aggregate_id,
                 "subscriber": listener.subscriber, "listener": listener.name,
                 "attempts": claimed, "relay_after_ms": self._claim_ms * claimed,
                 "trace_context": trace_context, "request_id": request}
                for aggregate_id, event, listener, claimed in targets]
        stored = (await session.execute(self._insert, rows)).all()
        return [Publication(id=row.id, listener=listener.name, event=event,
                            aggregate_id=aggregate_id, attempts=claimed,
                            created_at_ms=row.created_at_ms, trace_context=trace_context,
                            request_id=request)
                for row, (aggregate_id, event, listener, claimed)
                in zip(stored, targets, strict=True)]
