"""The event publication log on a real database: recorded with the change, delivered once,
in order, by any number of relays."""

import asyncio
from collections import defaultdict
from types import TracebackType
from typing import Any, Self

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from modules.book.domain.events import AuthorAddedToBook, AuthorRemovedFromBook
from modules.settings import Settings
from modules.shared_kernel.application.listeners import Listener, Listeners
from modules.shared_kernel.infrastructure.error_reports import ErrorReports
from modules.shared_kernel.infrastructure.outbox.claims import PublicationClaims
from modules.shared_kernel.infrastructure.outbox.delivery import EventDelivery
from modules.shared_kernel.infrastructure.outbox.operations import PublicationOperations
from modules.shared_kernel.infrastructure.outbox.publication_log import PublicationLog
from modules.shared_kernel.infrastructure.outbox.relay import EventRelay
from modules.shared_kernel.infrastructure.tracing import Tracing
from persistence.database import create_session_factory
from persistence.tables import event_publications as log


class DeliveryUnitOfWork:
    """The unit of work a delivery makes, reduced to the publication it completes: these
    listeners store nothing, so delivery completes the publication after they return."""

    def __init__(self, completing: int | None = None) -> None:
        self.completing = completing
        self.completed = False
        self.published: list[Any] = []

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        return None

    async def commit(self) -> None:
        return None


class CountingListener:
    """Remembers which publication it handled, in what order, for which aggregate."""

    def __init__(self) -> None:
        self.handled: dict[int, int] = defaultdict(int)
        self.order: dict[int, list[int]] = defaultdict(list)

    async def __call__(self, uow: DeliveryUnitOfWork, event: AuthorAddedToBook) -> None:
        assert uow.completing is not None
        self.handled[uow.completing] += 1
        self.order[event.book_id].append(uow.completing)
        await asyncio.sleep(0)  # let the other relay run in between


def listening(*subscriptions: tuple[str, type, CountingListener]) -> Listeners:
    listeners = Listeners()
    for name, event_type, listener in subscriptions:
        listeners.subscribe(Listener(name, event_type, handler=lambda listener=listener: listener,
                                     unit_of_work=DeliveryUnitOfWork))
    return listeners


def relay_settings(**changes: object) -> Settings:
    return Settings(event_delivery="relay", event_retry_base_s=0.01, **changes)  # type: ignore[arg-type]


async def record_backlog(engine: AsyncEngine, publication_log: PublicationLog,
                         books: int, events_each: int) -> None:
    async with create_session_factory(engine)() as session, session.begin():
        for n in range(events_each):
            events = [(book, AuthorAddedToBook(book_id=book, author_id=n, sequence=n + 1))
                      for book in range(1, books + 1)]
            await publication_log.record(session, events)


async def test_two_relays_over_one_backlog_deliver_every_entry_once_and_in_order(
    own_database: AsyncEngine,
) -> None:
    listener = CountingListener()
    listeners = listening(("test.count", AuthorAddedToBook, listener))
    settings = relay_settings()
    await record_backlog(own_database, PublicationLog(listeners, settings), books=20,
                         events_each=10)
    operations = PublicationOperations(own_database, settings)

    def relay() -> EventRelay:
        claims = PublicationClaims(own_database, listeners, settings)
        wakeup = asyncio.Event()
        delivery = EventDelivery(listeners, claims, settings, wakeup, Tracing(),
                                 ErrorReports(None))
        return EventRelay(claims, delivery, operations, settings, wakeup, ErrorReports(None))

    async def keep_relaying(relay: EventRelay) -> None:
        while (await operations.counts())["pending"]:
            await relay.deliver_due()

    await asyncio.gather(*[keep_relaying(relay()) for _ in range(2)])

    assert len(listener.handled) == 200
    assert set(listener.handled.values()) == {1}
    for book, handled in listener.order.items():
        assert handled == sorted(handled), f"book {book} out of order"
    async with own_database.connect() as connection:
        open_entries = await connection.scalar(
            select(func.count()).where(log.c.completed_at_ms.is_(None)))
    assert open_entries == 0


async def test_a_rollback_leaves_no_entry_and_a_commit_one_per_event_and_listener(
    own_database: AsyncEngine,
) -> None:
    listeners = listening(("first.count", AuthorAddedToBook, CountingListener()),
                          ("second.count", AuthorAddedToBook, CountingListener()),
                          ("third.count", AuthorRemovedFromBook, CountingListener()))
    publication_log = PublicationLog(listeners, relay_settings())
    operations = PublicationOperations(own_database, relay_settings())
    events = [(1, AuthorAddedToBook(1, 7, 1)), (1, AuthorRemovedFromBook(1, 7, 2))]

    async with create_session_factory(own_database)() as session, session.begin():
        await publication_log.record(session, events)
        await session.rollback()
    assert await operations.counts() == {"pending": 0, "failed": 0}

    async with create_session_factory(own_database)() as session, session.begin():
        recorded = await publication_log.record(session, events)
    assert sorted(p.listener for p in recorded) == ["first.count", "second.count", "third.count"]
    assert sorted(p.subscriber for p in recorded) == ["first", "second", "third"]
    assert await operations.counts() == {"pending": 3, "failed": 0}


async def test_completed_entries_are_removed_after_the_retention_time(
    own_database: AsyncEngine,
) -> None:
    listeners = listening(("test.count", AuthorAddedToBook, CountingListener()))
    settings = relay_settings(event_retention_s=0)
    claims = PublicationClaims(own_database, listeners, settings)
    operations = PublicationOperations(own_database, settings)
    await record_backlog(own_database, PublicationLog(listeners, settings), books=3,
                         events_each=1)
    first = (await claims.claim_due(1))[0]
    await claims.complete(first.id)
    await asyncio.sleep(0.01)

    assert await operations.purge_completed() == 1
    assert await operations.counts() == {"pending": 2, "failed": 0}


async def test_an_entry_no_code_can_read_any_more_is_given_up_on_at_once(
    own_database: AsyncEngine,
) -> None:
    listeners = listening(("test.count", AuthorAddedToBook, CountingListener()))
    claims = PublicationClaims(own_database, listeners, relay_settings())
    async with own_database.begin() as connection:
        await connection.execute(insert(log).values(
            event_type="BookRenamed", schema_version=1, payload={"book_id": 1},
            aggregate_id=1, subscriber="test", listener="test.count", created_at_ms=0,
            attempts=0, next_attempt_at_ms=0))

    assert await claims.claim_due(10) == []
    failed = await PublicationOperations(own_database, relay_settings()).listing(
        "failed", after=None, limit=10)
    assert "no listener takes events of type 'BookRenamed'" in failed[0]["last_error"]


async def test_a_claim_that_ran_out_is_taken_again(own_database: AsyncEngine) -> None:
    listeners = listening(("test.count", AuthorAddedToBook, CountingListener()))
    claims = PublicationClaims(own_database, listeners, relay_settings())
    await record_backlog(own_database, PublicationLog(listeners, relay_settings()), books=1,
                         events_each=1)
    claimed = await claims.claim_due(1)
    assert await claims.claim_due(1) == []  # in a deliverer's hands

    async with own_database.begin() as connection:  # ... who died: the claim runs out
        await connection.execute(update(log).values(next_attempt_at_ms=0))

    again = await claims.claim_due(1)
    assert [p.id for p in again] == [claimed[0].id]
    assert again[0].attempts == 2
