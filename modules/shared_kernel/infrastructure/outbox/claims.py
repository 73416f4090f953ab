"""Claiming publications: each goes to one deliverer at a time, and the relay takes a stream
(one aggregate's publications to one subscribing module) oldest first, never skipping ahead.
A request delivers what it wrote itself, claimed from the start (see PublicationLog): it may
go ahead of an older one still open, and the listeners' sequence checks make that change
nothing (I6).

A claim lasts `event_claim_timeout_s`: a deliverer that dies mid-delivery loses it then. A
failed attempt is due again after an exponential backoff; after `event_max_attempts` the
publication is given up on (failed) and the stream goes on without it; an operator may
resubmit it, and the listeners' sequence checks make a late, older event change nothing.
An outbound listener's publications (the broker's) are never given up on: a stream that went
on without one would reach the other side out of order, or without it.
"""

from typing import Any

from sqlalchemy import and_, bindparam, exists, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from modules.settings import Settings
from modules.shared_kernel.application.listeners import Listeners, UnknownListener
from modules.shared_kernel.application.publications import Publication
from modules.shared_kernel.infrastructure.outbox.failures import failure_text
from modules.shared_kernel.infrastructure.outbox.payloads import UnreadableEvent, event_from
from persistence.clock import database_now_ms
from persistence.tables import event_publications as log


def is_open() -> Any:
    return and_(log.c.completed_at_ms.is_(None), log.c.failed_at_ms.is_(None))


# Built once: every delivery sends it, in the listener's own transaction.
_COMPLETE = (update(log)
             .where(log.c.id == bindparam("publication_id"), log.c.completed_at_ms.is_(None))
             .values(completed_at_ms=database_now_ms(), failed_at_ms=None))


class PublicationClaims:
    def __init__(self, engine: AsyncEngine, listeners: Listeners, settings: Settings) -> None:
        self._engine = engine
        self._listeners = listeners
        self._claim_ms = int(settings.event_claim_timeout_s * 1000)
        self._retry_base_ms = int(settings.event_retry_base_s * 1000)
        self._retry_max_ms = int(settings.event_retry_max_s * 1000)
        self.max_attempts = settings.event_max_attempts
        # Built once: the claims run on every delivery and every relay round.
        self._claim_due = self._claim_due_statement()
        self._claim_next = self._claim_next_statement()

    def _claim_due_statement(self) -> Any:
        earlier = log.alias("earlier")
        open_before = exists().where(
            earlier.c.aggregate_id == log.c.aggregate_id,
            earlier.c.subscriber == log.c.subscriber,
            earlier.c.id < log.c.id, earlier.c.completed_at_ms.is_(None),
            earlier.c.failed_at_ms.is_(None),
        )
        due = (
            select(log.c.id)
            .where(is_open(), log.c.next_attempt_at_ms <= database_now_ms(), ~open_before)
            .order_by(log.c.id).limit(bindparam("batch")).with_for_update(skip_locked=True, of=log)
        )
        return (
            update(log).where(log.c.id.in_(due.scalar_subquery()))
            .values(attempts=log.c.attempts + 1,
                    next_attempt_at_ms=database_now_ms() + self._claim_ms)
            .returning(*log.c)
        )

    def _claim_next_statement(self) -> Any:
        oldest_open = (
            select(log.c.id)
            .where(log.c.aggregate_id == bindparam("stream_aggregate"),
                   log.c.subscriber == bindparam("stream_subscriber"), is_open())
            .order_by(log.c.id).limit(1).scalar_subquery()
        )
        claim = (
            update(log)
            .where(log.c.id == oldest_open,
                   (log.c.attempts == 0) | (log.c.next_attempt_at_ms <= database_now_ms()))
            .values(attempts=log.c.attempts + 1,
                    next_attempt_at_ms=database_now_ms() + self._claim_ms)
        )
        return claim.returning(*log.c)

    async def claim_due(self, limit: int) -> list[Publication]:
        """Take up to `limit` due entries, each the oldest open one of its stream. Rows
        another deliverer is claiming are skipped, not waited for."""
        async with self._engine.begin() as connection:
            rows = (await connection.execute(self._claim_due, {"batch": limit})).all()
        claimed = [await self._decoded(row) for row in sorted(rows, key=lambda r: r.id)]
        return [publication for publication in claimed if publication is not None]

    async def claim_next(self, aggregate_id: int, subscriber: str) -> Publication | None:
        """Claim the oldest open entry of one stream, if nobody has tried it yet or it is
        due. While that entry is in another deliverer's hands nothing is claimed: that
        deliverer carries on with the stream."""
        async with self._engine.begin() as connection:
            row = (await connection.execute(
                self._claim_next,
                {"stream_aggregate": aggregate_id, "stream_subscriber": subscriber})).first()
        return await self._decoded(row) if row is not None else None

    @staticmethod
    async def complete_in(connection: AsyncConnection | AsyncSession, publication_id: int) -> bool:
        """Mark the entry complete in the caller's transaction; False if it already was."""
        done = await connection.execute(_COMPLETE, {"publication_id": publication_id})
        return bool(done.rowcount == 1)  # type: ignore[attr-defined]

    async def complete(self, publication_id: int) -> bool:
        async with self._engine.begin() as connection:
            return await self.complete_in(connection, publication_id)

    async def fail(self, publication: Publication, error: BaseException) -> bool:
        """Record a failed attempt; True if that was the last one allowed."""
        outbound = self._listeners.named(publication.listener).outbound
        gives_up = publication.attempts >= self.max_attempts and not outbound
        delay = min(self._retry_max_ms, self._retry_base_ms * 2 ** max(publication.attempts - 1, 0))
        text = failure_text(error)
        async with self._engine.begin() as connection:
            await connection.execute(
                update(log).where(log.c.id == publication.id, log.c.completed_at_ms.is_(None))
                .values(last_error=text, next_attempt_at_ms=database_now_ms() + delay,
                        failed_at_ms=database_now_ms() if gives_up else None)
            )
        return gives_up

    async def _decoded(self, row: Any) -> Publication | None:
        """The publication of a claimed row; one that no code can read any more (its type,
        listener or schema gone) is given up on at once, for an operator."""
        try:
            self._listeners.named(row.listener)
            event_type = self._listeners.event_type(row.event_type)
            event = event_from(event_type, row.schema_version, row.payload)
        except (UnknownListener, UnreadableEvent) as error:
            async with self._engine.begin() as connection:
                await connection.execute(update(log).where(log.c.id == row.id).values(
                    last_error=f"cannot be delivered: {failure_text(error)}",
                    failed_at_ms=database_now_ms()))
            return None
        return Publication(id=row.id, listener=row.listener, aggregate_id=row.aggregate_id,
                           attempts=row.attempts, event=event, created_at_ms=row.created_at_ms,
                           trace_context=row.trace_context, request_id=row.request_id)
