"""The event publication log (transactional outbox): one row per event and listener.

Every change goes through this class, with the database's clock: entries are recorded in the
sender's transaction, claimed by one deliverer at a time, completed in the listener's own
transaction, retried with backoff when they fail, and given up on after `max_attempts`.
"""

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Select, and_, bindparam, delete, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from modules.settings import Settings
from modules.shared_kernel.application.event_bus import EventBus, UnknownListener
from modules.shared_kernel.domain.events import DomainEvent
from persistence.clock import database_now_ms
from persistence.tables import event_publications as log

State = Literal["pending", "failed", "completed"]
MAX_ERROR_TEXT = 2000


@dataclass(frozen=True)
class Publication:
    id: int
    listener: str
    event: DomainEvent
    aggregate_id: int
    attempts: int


def payload_of(event: DomainEvent) -> dict[str, Any]:
    return {f.name: list(v) if isinstance(v, tuple) else v
            for f in dataclasses.fields(event) for v in [getattr(event, f.name)]}


def event_from(event_type: type[DomainEvent], payload: dict[str, Any]) -> DomainEvent:
    values = {name: tuple(v) if isinstance(v, list) else v for name, v in payload.items()}
    return event_type(**values)


class EventPublications:
    def __init__(self, engine: AsyncEngine, bus: EventBus, settings: Settings) -> None:
        self._engine = engine
        self._bus = bus
        self._claim_ms = int(settings.event_claim_timeout_s * 1000)
        self._retry_base_ms = int(settings.event_retry_base_s * 1000)
        self._retry_max_ms = int(settings.event_retry_max_s * 1000)
        self.max_attempts = settings.event_max_attempts
        self._retention_ms = int(settings.event_retention_s * 1000)
        self._claim_due = self._claim_due_statement()
        self._claim_next = self._claim_next_statement()

    async def record(
        self, session: AsyncSession, events: Sequence[tuple[int, DomainEvent]], *,
        for_requests: bool,
    ) -> list[Publication]:
        """Write an entry per event and listener in `session`'s transaction. `for_requests`:
        requests deliver them (`claim_next`), so the relay leaves them alone until the claim
        timeout has passed; it is then the relay's (the request's process may have died)."""
        targets = [(aggregate_id, event, listener) for aggregate_id, event in events
                   for listener in self._bus.listeners(type(event))]
        if not targets:
            return []
        attempts = 0
        rows = [
            {"event_type": type(event).__name__, "schema_version": event.schema_version,
             "payload": payload_of(event), "aggregate_id": aggregate_id, "listener": listener,
             "attempts": attempts}
            for aggregate_id, event, listener in targets
        ]
        statement = (
            insert(log)
            .values(created_at_ms=database_now_ms(),
                    next_attempt_at_ms=database_now_ms() + (self._claim_ms if for_requests else 0))
            # sort_by_parameter_order: the returned ids line up with the rows they belong to.
            .returning(log.c.id, sort_by_parameter_order=True)
        )
        ids = (await session.execute(statement, rows)).scalars().all()
        return [Publication(id=i, listener=listener, event=event, aggregate_id=aggregate_id,
                            attempts=attempts)
                for i, (aggregate_id, event, listener) in zip(ids, targets, strict=True)]

    def _claim_due_statement(self) -> Any:
        # Built once per instance: the claims run on every delivery and every relay round.
        earlier = log.alias("earlier")
        open_before = exists().where(
            earlier.c.aggregate_id == log.c.aggregate_id, earlier.c.listener == log.c.listener,
            earlier.c.id < log.c.id, earlier.c.completed_at_ms.is_(None),
            earlier.c.failed_at_ms.is_(None),
        )
        due = (
            select(log.c.id)
            .where(_is_open(), log.c.next_attempt_at_ms <= database_now_ms(), ~open_before)
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
                   log.c.listener == bindparam("stream_listener"), _is_open())
            .order_by(log.c.id).limit(1).scalar_subquery()
        )
        return (
            update(log)
            .where(log.c.id == oldest_open,
                   (log.c.attempts == 0) | (log.c.next_attempt_at_ms <= database_now_ms()))
            .values(attempts=log.c.attempts + 1,
                    next_attempt_at_ms=database_now_ms() + self._claim_ms)
            .returning(*log.c)
        )

    async def claim_due(self, limit: int) -> list[Publication]:
        """Take up to `limit` due entries, each the oldest open one of its aggregate and
        listener, so events of one aggregate are applied in the order they happened. Rows
        another deliverer is claiming are skipped, not waited for."""
        async with self._engine.begin() as connection:
            rows = (await connection.execute(self._claim_due, {"batch": limit})).all()
        claimed = [await self._decoded(row) for row in sorted(rows, key=lambda r: r.id)]
        return [publication for publication in claimed if publication is not None]

    async def claim_next(self, aggregate_id: int, listener: str) -> Publication | None:
        """Claim the oldest open entry of one aggregate's stream to one listener, if nobody
        has tried it yet or it is due. Never skips ahead: while that entry is in another
        deliverer's hands, nothing is claimed (that deliverer carries on with the stream)."""
        async with self._engine.begin() as connection:
            row = (await connection.execute(
                self._claim_next,
                {"stream_aggregate": aggregate_id, "stream_listener": listener})).first()
        return await self._decoded(row) if row is not None else None

    @staticmethod
    async def complete_in(connection: AsyncConnection | AsyncSession, publication_id: int) -> bool:
        """Mark the entry complete in the caller's transaction; False if it already was."""
        done = await connection.execute(
            update(log).where(log.c.id == publication_id, log.c.completed_at_ms.is_(None))
            .values(completed_at_ms=database_now_ms(), failed_at_ms=None)
        )
        return bool(done.rowcount == 1)  # type: ignore[attr-defined]

    async def complete(self, publication_id: int) -> bool:
        async with self._engine.begin() as connection:
            return await self.complete_in(connection, publication_id)

    async def fail(self, publication: Publication, error: BaseException) -> bool:
        """Record a failed attempt; True if that was the last one allowed."""
        gives_up = publication.attempts >= self.max_attempts
        delay = min(self._retry_max_ms, self._retry_base_ms * 2 ** max(publication.attempts - 1, 0))
        text = f"{type(error).__name__}: {error}"[:MAX_ERROR_TEXT]
        async with self._engine.begin() as connection:
            await connection.execute(
                update(log).where(log.c.id == publication.id, log.c.completed_at_ms.is_(None))
                .values(last_error=text, next_attempt_at_ms=database_now_ms() + delay,
                        failed_at_ms=database_now_ms() if gives_up else None)
            )
        return gives_up

    async def resubmit(self, publication_id: int) -> bool:
        """Give a failed entry a fresh set of attempts, due now; False if it is not failed."""
        async with self._engine.begin() as connection:
            done = await connection.execute(
                update(log).where(log.c.id == publication_id, log.c.failed_at_ms.is_not(None),
                                  log.c.completed_at_ms.is_(None))
                .values(failed_at_ms=None, attempts=0, next_attempt_at_ms=database_now_ms())
            )
        return bool(done.rowcount == 1)

    async def purge_completed(self) -> int:
        """Remove entries completed longer ago than the retention time."""
        async with self._engine.begin() as connection:
            done = await connection.execute(delete(log).where(
                log.c.completed_at_ms < database_now_ms() - self._retention_ms))
        return int(done.rowcount)

    async def counts(self) -> dict[str, int]:
        query = select(
            func.count().filter(_is_open()).label("pending"),
            func.count().filter(log.c.failed_at_ms.is_not(None),
                                log.c.completed_at_ms.is_(None)).label("failed"),
        )
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).one()
        return {"pending": int(row.pending), "failed": int(row.failed)}

    async def listing(self, state: State, *, after: int | None, limit: int) -> list[dict[str, Any]]:
        query: Select[Any] = select(log).order_by(log.c.id).limit(limit)
        query = query.where({
            "pending": _is_open(),
            "failed": and_(log.c.failed_at_ms.is_not(None), log.c.completed_at_ms.is_(None)),
            "completed": log.c.completed_at_ms.is_not(None),
        }[state])
        if after is not None:
            query = query.where(log.c.id > after)
        async with self._engine.connect() as connection:
            return [dict(row._mapping) for row in (await connection.execute(query)).all()]

    async def entry(self, publication_id: int) -> dict[str, Any] | None:
        async with self._engine.connect() as connection:
            row = (await connection.execute(select(log).where(log.c.id == publication_id))).first()
        return dict(row._mapping) if row else None

    async def _decoded(self, row: Any) -> Publication | None:
        """The publication of a claimed row; one that no code can read any more (its type
        or listener gone, its payload changed) is given up on at once, for an operator."""
        try:
            self._bus.handler(row.listener)
            event = event_from(self._bus.event_type(row.event_type), row.payload)
        except (UnknownListener, TypeError) as error:
            async with self._engine.begin() as connection:
                await connection.execute(update(log).where(log.c.id == row.id).values(
                    last_error=f"cannot be delivered: {error}"[:MAX_ERROR_TEXT],
                    failed_at_ms=database_now_ms()))
            return None
        return Publication(id=row.id, listener=row.listener, aggregate_id=row.aggregate_id,
                           attempts=row.attempts, event=event)


def _is_open() -> Any:
    return and_(log.c.completed_at_ms.is_(None), log.c.failed_at_ms.is_(None))

