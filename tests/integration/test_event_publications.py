"""The event publication log on a real database: recorded with the change, delivered once,
in order, by any number of relays."""

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from modules.book.domain.events import AuthorAddedToBook, AuthorRemovedFromBook
from modules.settings import Settings
from modules.shared_kernel.application.event_bus import EventBus
from modules.shared_kernel.infrastructure.event_publications import EventPublications
from modules.shared_kernel.infrastructure.event_relay import EventRelay
from modules.shared_kernel.infrastructure.outbox import Outbox, current_delivery
from persistence.database import create_engine, create_session_factory
from persistence.migrations import upgrade_to_head
from persistence.tables import event_publications as log
from tests.system.databases import fresh_database


class CountingListener:
    """Remembers which publication it handled, in what order, for which aggregate."""

    def __init__(self) -> None:
        self.handled: dict[int, int] = defaultdict(int)
        self.order: dict[int, list[int]] = defaultdict(list)

    async def __call__(self, event: AuthorAddedToBook) -> None:
        delivery = current_delivery.get()
        assert delivery is not None
        self.handled[delivery.publication_id] += 1
        self.order[event.book_id].append(delivery.publication_id)
        await asyncio.sleep(0)  # let the other relay run in between


@pytest.fixture
async def own_database(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A database of this test's own: the app's relay must not see these publications."""
    async with fresh_database(database_url, tmp_path) as url:
        engine = create_engine(url)
        await upgrade_to_head(engine)
        yield engine
        await engine.dispose()


def relay_settings(**changes: object) -> Settings:
    return Settings(event_delivery="relay", event_retry_base_s=0.01, **changes)  # type: ignore[arg-type]


async def record_backlog(engine: AsyncEngine, publications: EventPublications,
                         books: int, events_each: int) -> None:
    async with create_session_factory(engine)() as session, session.begin():
        for n in range(events_each):
            events = [(book, AuthorAddedToBook(book_id=book, author_id=n))
                      for book in range(1, books + 1)]
            await publications.record(session, events, for_requests=False)


async def test_two_relays_over_one_backlog_deliver_every_entry_once_and_in_order(
    own_database: AsyncEngine,
) -> None:
    bus, listener = EventBus(), CountingListener()
    bus.subscribe(AuthorAddedToBook, "test.count", lambda: listener)
    publications = EventPublications(own_database, bus, relay_settings())
    await record_backlog(own_database, publications, books=20, events_each=10)
    relays = [EventRelay(Outbox(publications, bus, relay_settings()), publications,
                         relay_settings()) for _ in range(2)]

    async def keep_relaying(relay: EventRelay) -> None:
        while (await publications.counts())["pending"]:
            await relay.deliver_due()

    await asyncio.gather(*[keep_relaying(relay) for relay in relays])

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
    bus = EventBus()
    bus.subscribe(AuthorAddedToBook, "first", lambda: CountingListener())
    bus.subscribe(AuthorAddedToBook, "second", lambda: CountingListener())
    bus.subscribe(AuthorRemovedFromBook, "third", lambda: CountingListener())
    publications = EventPublications(own_database, bus, relay_settings())
    events = [(1, AuthorAddedToBook(1, 7)), (1, AuthorRemovedFromBook(1, 7))]

    async with create_session_factory(own_database)() as session, session.begin():
        await publications.record(session, events, for_requests=False)
        await session.rollback()
    assert await publications.counts() == {"pending": 0, "failed": 0}

    async with create_session_factory(own_database)() as session, session.begin():
        recorded = await publications.record(session, events, for_requests=False)
    assert sorted(p.listener for p in recorded) == ["first", "second", "third"]
    assert await publications.counts() == {"pending": 3, "failed": 0}


async def test_completed_entries_are_removed_after_the_retention_time(
    own_database: AsyncEngine,
) -> None:
    bus = EventBus()
    bus.subscribe(AuthorAddedToBook, "test.count", lambda: CountingListener())
    publications = EventPublications(own_database, bus, relay_settings(event_retention_s=0))
    await record_backlog(own_database, publications, books=3, events_each=1)
    first = (await publications.claim_due(1))[0]
    await publications.complete(first.id)
    await asyncio.sleep(0.01)

    assert await publications.purge_completed() == 1
    assert await publications.counts() == {"pending": 2, "failed": 0}


async def test_an_entry_no_code_can_read_any_more_is_given_up_on_at_once(
    own_database: AsyncEngine,
) -> None:
    bus = EventBus()
    bus.subscribe(AuthorAddedToBook, "test.count", lambda: CountingListener())
    publications = EventPublications(own_database, bus, relay_settings())
    async with own_database.begin() as connection:
        await connection.execute(insert(log).values(
            event_type="BookRenamed", schema_version=1, payload={"book_id": 1},
            aggregate_id=1, listener="test.count", created_at_ms=0, attempts=0,
            next_attempt_at_ms=0))

    assert await publications.claim_due(10) == []
    failed = await publications.listing("failed", after=None, limit=10)
    assert "no listener takes events of type 'BookRenamed'" in failed[0]["last_error"]


async def test_a_claim_that_ran_out_is_taken_again(own_database: AsyncEngine) -> None:
    bus = EventBus()
    bus.subscribe(AuthorAddedToBook, "test.count", lambda: CountingListener())
    publications = EventPublications(own_database, bus, relay_settings())
    await record_backlog(own_database, publications, books=1, events_each=1)
    claimed = await publications.claim_due(1)
    assert await publications.claim_due(1) == []  # in a deliverer's hands

    async with own_database.begin() as connection:  # ... who died: the claim runs out
        await connection.execute(update(log).values(next_attempt_at_ms=0))

    again = await publications.claim_due(1)
    assert [p.id for p in again] == [claimed[0].id]
    assert again[0].attempts == 2
