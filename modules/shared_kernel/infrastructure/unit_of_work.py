"""A Unit of Work on one AsyncSession: one transaction per `async with` block.

`commit()` stores the aggregates' changes and a publication of each event they recorded, in
one transaction (a single INSERT with nothing else to store is sent alone, atomic by itself),
and returns; delivering those publications is the message bus's job. A unit
made for a delivery (`completing=`) also marks that publication complete in the same
transaction.
"""

import functools
from types import TracebackType
from typing import Any, Self

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstanceState, Mapper
from sqlalchemy.orm.attributes import NO_VALUE, flag_modified, instance_state
from sqlalchemy.orm.exc import StaleDataError

from modules.shared_kernel.application.publications import AlreadyDelivered, Publication
from modules.shared_kernel.domain.errors import ConcurrentChange
from modules.shared_kernel.domain.events import Aggregate
from modules.shared_kernel.infrastructure.outbox.claims import PublicationClaims
from modules.shared_kernel.infrastructure.outbox.publication_log import PublicationLog
from persistence.database import connected
from persistence.turns import Turns

# PostgreSQL's "try the transaction again" errors: deadlock detected, serialization failure.
LOST_RACE_STATES = {"40P01", "40001"}


class SqlAlchemyUnitOfWork:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession],
                 publication_log: PublicationLog, completing: int | None = None,
                 turns: Turns | None = None) -> None:
        self._session_factory = session_factory
        self._turns = turns
        self._publication_log = publication_log
        self._completing = completing
        self.published: list[Publication] = []
        self.completed = False

    async def __aenter__(self) -> Self:
        if self._turns is not None:  # a turn at the writers' pool, in order (turns.py)
            await self._turns.__aenter__()
        self.session = self._session_factory()
        self.start()
        return self

    def start(self) -> None:
        """Make the module's repositories on `self.session`."""

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed and, unlike rollback(), leaves the
        # loaded aggregates readable (detached, not expired) for the caller.
        try:
            await self.session.close()
        finally:
            if self._turns is not None:
                await self._turns.__aexit__(None, None, None)
        if isinstance(exc, DBAPIError) and _lost_race(exc):
            # A deadlock or serialization failure anywhere in the block is a lost race:
            # answered 409, or run again by retry_on_conflict where the change commutes.
            raise ConcurrentChange() from exc

    async def commit(self) -> None:
        session = self.session
        events = []
        for aggregate in {*session.new, *session.identity_map.values(), *session.deleted}:
            if isinstance(aggregate, Aggregate):
                if aggregate not in session.new and aggregate not in session.deleted:
                    _bump_version_if_children_changed(aggregate)
                events += [(aggregate.id, event)  # type: ignore[attr-defined]
                           for event in aggregate.pull_events()]
        try:
            completes = self._completing is not None and not self.completed
            if not events and not completes and _one_row_to_insert(session):
                # One INSERT is atomic by itself: without a transaction block around it, the
                # BEGIN and COMMIT round trips (two of three) are spared.
                await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            # The aggregates' rows first: their locks order concurrent writers, and with them
            # the ids of the publications written next.
            await session.flush()
            published = await self._publication_log.record(session, events) if events else []
            if completes and not await PublicationClaims.complete_in(
                    self.session, self._completing):  # type: ignore[arg-type]
                raise AlreadyDelivered(self._completing)
            await self.session.commit()
        except StaleDataError as error:
            raise ConcurrentChange() from error
        except IntegrityError as error:
            raise self.integrity_error(error) from error
        self.published.extend(published)
        self.completed = self.completed or completes

    def integrity_error(self, error: IntegrityError) -> Exception:
        """The domain error a constraint violation stands for; modules name their own."""
        return ConcurrentChange()


def _one_row_to_insert(session: AsyncSession) -> bool:
    """The flush will send one INSERT and nothing else: a single new object (its children,
    had it any, would be new too), nothing changed or deleted, and nothing sent before."""
    return (len(session.new) == 1 and not session.dirty and not session.deleted
            and not connected(session))


def _bump_version_if_children_changed(aggregate: Aggregate) -> None:
    """A change to a child collection alone (an author learning of a book) does not touch
    the aggregate's own row, so SQLAlchemy would not bump its version: force the UPDATE.

    Read off the state's committed values, which hold what was loaded of each attribute set
    since: the attribute histories this used to build were 7 % of a credit's CPU. (Column
    attributes only: a composite's history is built with None for unchanged columns, which a
    validating value object such as Name or Isbn rightly refuses.)"""
    state = instance_state(aggregate)
    mapper = state.mapper
    set_since_load = state.committed_state
    if any(key in mapper.column_attrs and _changed(state, key) for key in set_since_load):
        return  # its own row changes (a recorded event moves its sequence): the UPDATE bumps it
    # A collection in the committed values was added to or taken from since it was loaded.
    if (any(key in mapper.relationships for key in set_since_load)
            or any(_child_changed_in_place(state, rel.key) for rel in mapper.relationships)):
        flag_modified(aggregate, _bumping_column(mapper))


def _changed(state: InstanceState[Any], key: str) -> bool:
    loaded = state.committed_state[key]
    return loaded is NO_VALUE or not state.manager[key].impl.is_equal(state.dict.get(key), loaded)


def _child_changed_in_place(state: InstanceState[Any], key: str) -> bool:
    """A loaded child changed in place (an author's book turning from credited to
    uncredited and back changes that row, not the list)."""
    children = state.dict.get(key)
    if not children:  # absent: never loaded, so nothing in it changed
        return False
    return any(instance_state(child).modified for child in children)


@functools.cache
def _bumping_column(mapper: Mapper[Any]) -> str:
    """An own column of the aggregate's, flagged to force its UPDATE (and so the bump)."""
    special = {*mapper.primary_key, mapper.version_id_col}
    return next(attr.key for attr in mapper.column_attrs if not special & set(attr.columns))


def _lost_race(error: DBAPIError) -> bool:
    state = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return state in LOST_RACE_STATES
