"""The outbound (broker) listeners on the outbox, with a broker that fails on demand: the
request never publishes, one book's messages are published strictly in order even when one
keeps failing, and a failing message is never given up on."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from dependency_injector import providers
from sqlalchemy import select

from app import create_app
from modules.container import ApplicationContainer
from modules.settings import Settings
from persistence.database import is_sqlite
from persistence.tables import event_publications as log
from tests.api.catalogue import book_body
from tests.eventually import eventually
from tests.integration.sql_sent import counting
from tests.integration.test_statement_counts import WRITES
from tests.system.databases import fresh_database


class FailingBroker:
    """Stands in for BrokerPublisher: notes every attempt, and fails the first `failures`
    attempts of each message id in `fails`."""

    def __init__(self) -> None:
        self.attempts: list[tuple[str, bool]] = []  # (message id, confirmed)
        self.fails: dict[str, int] = {}
        self.fail_first_message_times = 0
        self.closed = False

    async def publish(self, channel: str, message: dict[str, Any], message_id: str) -> None:
        if not self.attempts and self.fail_first_message_times:
            self.fails[message_id] = self.fail_first_message_times
        if self.fails.get(message_id, 0) > 0:
            self.fails[message_id] -= 1
            self.attempts.append((message_id, False))
            raise ConnectionError("the broker is away")
        self.attempts.append((message_id, True))

    async def close(self) -> None:
        self.closed = True

    def confirmed(self) -> list[str]:
        return [message_id for message_id, confirmed in self.attempts if confirmed]


@asynccontextmanager
async def service(database_url: str, broker: FailingBroker,
                  **settings: Any) -> AsyncIterator[tuple[httpx.AsyncClient, ApplicationContainer]]:
    container = ApplicationContainer()
    container.settings.override(providers.Object(Settings(
        database_url=database_url, broker_url="amqp://not-connected.invalid/",
        event_retry_base_s=0.02, event_retry_max_s=0.1, event_relay_interval_s=0.05,
        event_max_attempts=4, **settings)))
    container.broker_publisher.override(providers.Object(broker))
    application = create_app(container)
    async with LifespanManager(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://bookshelf.test") as c:
            yield c, container


async def credited_book(client: httpx.AsyncClient, authors: int) -> tuple[str, list[str]]:
    book = (await client.post("/books", json=book_body())).json()["id"]
    author_ids = []
    for number in range(authors):
        author = (await client.post("/authors", json={"first_name": f"A{number}",
                                                      "last_name": "Writer"})).json()["id"]
        assert (await client.put(f"/books/{book}/authors/{author}")).status_code == 200
        author_ids.append(author)
    return book, author_ids


async def outbound_rows(container: ApplicationContainer) -> list[Any]:
    async with container.engine().connect() as connection:
        return list((await connection.execute(
            select(log).where(log.c.listener.like("broker.%")).order_by(log.c.id))).all())


async def test_the_request_leaves_publishing_to_the_relay(
    database_url: str, tmp_path: Path
) -> None:
    broker = FailingBroker()
    async with fresh_database(database_url, tmp_path) as url, \
            service(url, broker, event_relay_enabled=False) as (client, container):
        book, [author] = await credited_book(client, authors=1)
        shown = (await client.get(f"/authors/{author}")).json()
        rows = await outbound_rows(container)

    assert [b["id"] for b in shown["books"]] == [book]  # the Author module's, in the request
    assert broker.attempts == []  # nothing published by the request
    [row] = rows
    assert (row.attempts, row.completed_at_ms) == (0, None)  # unclaimed: the relay's to take
    assert row.next_attempt_at_ms <= row.created_at_ms + 5  # due at once
    assert broker.closed  # by the shutdown


async def test_a_failing_message_holds_its_book_back_and_is_never_given_up_on(
    database_url: str, tmp_path: Path
) -> None:
    broker = FailingBroker()
    broker.fail_first_message_times = 6  # past EVENT_MAX_ATTEMPTS (4)
    async with fresh_database(database_url, tmp_path) as url, \
            service(url, broker) as (client, container):
        book, _ = await credited_book(client, authors=3)

        async def published() -> list[str]:
            return broker.confirmed()

        await eventually(published, lambda ids: len(ids) == 3)
        rows = await outbound_rows(container)

    assert {row.aggregate_id for row in rows} == {int(book)}  # one stream: the book's
    ids_in_order = [str(row.id) for row in rows]
    assert broker.confirmed() == ids_in_order
    first = ids_in_order[0]
    # Nothing of the book was tried before its first message finally went.
    assert [message_id for message_id, _ in broker.attempts[:7]] == [first] * 7
    assert rows[0].attempts == 7
    assert all(row.failed_at_ms is None and row.completed_at_ms for row in rows)


async def test_the_broker_adds_a_row_to_a_request_and_no_round_trip_on_postgresql(
    database_url: str, tmp_path: Path
) -> None:
    """The outbound publication goes into the same INSERT as the Author module's on
    PostgreSQL: a credit sends what it sends without a broker. SQLite cannot return the ids of
    a multi-row INSERT in the rows' order, so SQLAlchemy sends one INSERT per row there: one
    statement more. The relay's claim and completion come later, in a task of its own."""
    async with fresh_database(database_url, tmp_path) as url, \
            service(url, FailingBroker(), event_relay_enabled=False) as (client, container):
        book, _ = await credited_book(client, authors=0)
        author = (await client.post("/authors", json={"first_name": "Han",
                                                      "last_name": "Kang"})).json()["id"]
        with counting(container.engine(), container.reads()) as sent:
            credited = await client.put(f"/books/{book}/authors/{author}")
        rows = await outbound_rows(container)

    assert credited.status_code == 200
    assert len(rows) == 1  # recorded, beside the Author module's publication
    statements, transactions = WRITES["PUT /books/{id}/authors/{aid}"]
    assert sent.counts == (statements + (1 if is_sqlite(url) else 0), transactions)
