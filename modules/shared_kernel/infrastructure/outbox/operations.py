"""What operators and health checks see of the outbox: counts, listings, resubmission, and
clearing out old completed entries."""

from typing import Any, Literal

from sqlalchemy import Select, and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from modules.settings import Settings
from modules.shared_kernel.infrastructure.outbox.claims import is_open
from persistence.clock import database_now_ms
from persistence.database import reading
from persistence.tables import event_publications as log

State = Literal["pending", "failed", "completed"]


def _is_failed() -> Any:
    return and_(log.c.failed_at_ms.is_not(None), log.c.completed_at_ms.is_(None))


def _how_many(which: Any) -> Any:
    return select(func.count()).select_from(log).where(which).scalar_subquery()


# Every readiness probe asks. One count per state, each with exactly the condition of a
# partial index (ix_event_publications_due, ix_event_publications_failed), so each reads
# only the open or the failed rows: never the week of completed ones kept beside them,
# which made one FILTERed count over the whole table outlast the probe's timeout.
_BACKLOG = select(_how_many(is_open()).label("pending"), _how_many(_is_failed()).label("failed"))
# The metrics' scrape adds how long the oldest open one has waited: min() under the same
# condition as the open rows' partial index, so it too reads only the open rows.
_OLDEST_OPEN = select(func.min(log.c.created_at_ms)).where(is_open()).scalar_subquery()
_BACKLOG_AND_AGE = _BACKLOG.add_columns(
    (database_now_ms() - _OLDEST_OPEN).label("oldest_open_age_ms"))


class PublicationOperations:
    def __init__(self, engine: AsyncEngine, settings: Settings) -> None:
        self._engine = engine
        # Single-statement reads need no transaction (on SQLite one would take the write lock,
        # for a readiness probe).
        self._reader = reading(engine)
        self._retention_ms = int(settings.event_retention_s * 1000)

    async def counts(self) -> dict[str, int]:
        async with self._reader.connect() as connection:
            row = (await connection.execute(_BACKLOG)).one()
        return {"pending": int(row.pending), "failed": int(row.failed)}

    async def backlog(self) -> dict[str, int]:
        """The counts, and the age of the oldest open publication in ms (0 if none is open)."""
        async with self._reader.connect() as connection:
            row = (await connection.execute(_BACKLOG_AND_AGE)).one()
        return {"pending": int(row.pending), "failed": int(row.failed),
                "oldest_open_age_ms": max(0, int(row.oldest_open_age_ms or 0))}

    async def listing(self, state: State, *, after: int | None, limit: int) -> list[dict[str, Any]]:
        query: Select[Any] = select(log).order_by(log.c.id).limit(limit)
        query = query.where({"pending": is_open(), "failed": _is_failed(),
                             "completed": log.c.completed_at_ms.is_not(None)}[state])
        if after is not None:
            query = query.where(log.c.id > after)
        async with self._reader.connect() as connection:
            return [dict(row._mapping) for row in (await connection.execute(query)).all()]

    async def entry(self, publication_id: int) -> dict[str, Any] | None:
        async with self._reader.connect() as connection:
            row = (await connection.execute(select(log).where(log.c.id == publication_id))).first()
        return dict(row._mapping) if row else None

    async def resubmit(self, publication_id: int) -> bool:
        """Give a failed entry a fresh set of attempts, due now; False if it is not failed."""
        async with self._engine.begin() as connection:
            done = await connection.execute(
                update(log).where(log.c.id == publication_id, _is_failed())
                .values(failed_at_ms=None, attempts=0, next_attempt_at_ms=database_now_ms())
            )
        return bool(done.rowcount == 1)

    async def purge_completed(self) -> int:
        """Remove entries completed longer ago than the retention time."""
        async with self._engine.begin() as connection:
            done = await connection.execute(delete(log).where(
                log.c.completed_at_ms < database_now_ms() - self._retention_ms))
        return int(done.rowcount)
