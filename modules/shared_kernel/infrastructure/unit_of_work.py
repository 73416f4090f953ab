"""A Unit of Work on one AsyncSession: one transaction, events delivered after commit."""

from types import TracebackType
from typing import Self

from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import object_mapper
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from modules.shared_kernel.domain.errors import ConcurrentChange
from modules.shared_kernel.domain.events import Aggregate
from modules.shared_kernel.infrastructure.outbox import Outbox


class SqlAlchemyUnitOfWork:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], outbox: Outbox) -> None:
        self._session_factory = session_factory
        self._outbox = outbox

    async def __aenter__(self) -> Self:
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
        await self.session.close()

    async def commit(self) -> None:
        """Commit the aggregates' changes together with a publication of every event they
        recorded (and, inside a delivery, the completion of the publication being served);
        then deliver the new publications."""
        aggregates = self._aggregates_in_session()
        for aggregate in aggregates:
            self._bump_version_if_changed(aggregate)
        events = [(aggregate.id, event) for aggregate in aggregates  # type: ignore[attr-defined]
                  for event in aggregate.pull_events()]
        try:
            # The aggregates' rows first: their locks order concurrent writers, and with them
            # the ids of the publications written next.
            await self.session.flush()
            publications = await self._outbox.record(self.session, events)
            delivery = await self._outbox.complete_current_delivery(self.session)
            await self.session.commit()
        except StaleDataError as error:
            raise ConcurrentChange() from error
        except IntegrityError as error:
            raise self.integrity_error(error) from error
        if delivery is not None:
            delivery.completed = True
        await self._outbox.deliver_now(publications)

    def integrity_error(self, error: IntegrityError) -> Exception:
        """The domain error a constraint violation stands for; modules name their own."""
        return ConcurrentChange()

    def _aggregates_in_session(self) -> list[Aggregate]:
        seen = {*self.session.new, *self.session.identity_map.values(), *self.session.deleted}
        return [obj for obj in seen if isinstance(obj, Aggregate)]

    def _bump_version_if_changed(self, aggregate: Aggregate) -> None:
        # A change to a child collection alone (an author credited on a book) does not touch
        # the aggregate's own row, so SQLAlchemy would not bump its version: force the UPDATE.
        if aggregate in self.session.new or aggregate in self.session.deleted:
            return
        if _collections_changed(aggregate):
            flag_modified(aggregate, _plain_column_attribute(aggregate))


def _collections_changed(aggregate: Aggregate) -> bool:
    # Relationship history only: a composite's history is built with None for unchanged
    # columns, which a validating value object (Name, Isbn) rightly refuses.
    state = inspect(aggregate)
    return any(state.attrs[rel.key].history.has_changes() for rel in state.mapper.relationships)


def _plain_column_attribute(aggregate: Aggregate) -> str:
    """A column attribute that is neither key nor version: flagging it makes an UPDATE."""
    mapper = object_mapper(aggregate)
    special = {*mapper.primary_key, mapper.version_id_col}
    return next(
        attr.key for attr in mapper.column_attrs if not special & set(attr.columns)
    )
