"""The Book module's integration events on a real broker, RabbitMQ and NATS JetStream, followed
by the example consumer (examples/author_statistics): each message once, each book's in
order, through a broker outage and a crash between publishing and completing."""

import asyncio
import signal
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from dependency_injector import providers
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from app import create_app
from examples.author_statistics.contract import PublishedContract
from examples.author_statistics.follower import follower
from examples.author_statistics.statistics import AuthorStatistics
from modules.container import ApplicationContainer
from modules.settings import Settings
from persistence.tables import event_publications
from tests.api.catalogue import book_body
from tests.eventually import eventually
from tests.system.brokers import (
    broker_url,
    require_broker,
    start_publication_ids_after_now,
    usual_port,
)
from tests.system.databases import fresh_database
from tests.system.gate import Gate
from tests.system.servers import running_service
from tests.system.tcp_proxy import CuttableProxy

ARRIVE_WITHIN_S = 30.0


@pytest.fixture(params=["rabbitmq", "nats"])
def broker(request: pytest.FixtureRequest) -> str:
    require_broker(request.param)
    return str(request.param)


@pytest.fixture
def statistics(tmp_path: Path) -> Iterator[AuthorStatistics]:
    kept = AuthorStatistics(tmp_path / "author_statistics.db")
    yield kept
    kept.close()


@asynccontextmanager
async def following(broker: str, statistics: AuthorStatistics) -> AsyncIterator[None]:
    """The example consumer, subscribed before anything is published."""
    consumer = follower(broker_url(broker), statistics, PublishedContract(), name=None)
    await consumer.start()
    try:
        yield
    finally:
        await consumer.stop()


@asynccontextmanager
async def service(database_url: str, broker_at: str) -> AsyncIterator[httpx.AsyncClient]:
    """The service in this process, on a database of its own, publishing to `broker_at`."""
    container = ApplicationContainer()
    container.settings.override(providers.Object(Settings(
        database_url=database_url, broker_url=broker_at,
        event_retry_base_s=0.02, event_retry_max_s=0.2, event_relay_interval_s=0.05,
        event_max_attempts=4,
    )))
    application = create_app(container)
    async with LifespanManager(application):
        await start_publication_ids_after_now(database_url)
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://bookshelf.test") as c:
            yield c


async def catalogue_changes(client: httpx.AsyncClient) -> dict[str, Any]:
    """Credit, uncredit and delete, over two books: what the consumer should then hold."""
    async def made(path: str, body: dict[str, Any]) -> str:
        answer = await client.post(path, json=body)
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])

    han = await made("/authors", {"first_name": "Han", "last_name": "Kang"})
    yoko = await made("/authors", {"first_name": "Yoko", "last_name": "Ogawa"})
    first = await made("/books", book_body())
    second = await made("/books", book_body())
    for method, path in [("PUT", f"/books/{first}/authors/{han}"),
                         ("PUT", f"/books/{first}/authors/{yoko}"),
                         ("PUT", f"/books/{second}/authors/{han}"),
                         ("DELETE", f"/books/{first}/authors/{han}"),
                         ("PUT", f"/books/{first}/authors/{han}"),
                         ("DELETE", f"/books/{first}")]:
        answer = await client.request(method, path)
        assert answer.status_code in (200, 204), answer.text
    return {"han": han, "yoko": yoko, "first": first, "second": second}


EXPECTED = {
    "first": ["AuthorAddedToBook", "AuthorAddedToBook", "AuthorRemovedFromBook",
              "AuthorAddedToBook", "BookDeleted"],
    "second": ["AuthorAddedToBook"],
}


async def arrived(statistics: AuthorStatistics, count: int) -> list[tuple[str, str, str, int]]:
    async def received() -> list[tuple[str, str, str, int]]:
        return statistics.received()

    return await eventually(received, lambda got: len(got) >= count, within_s=ARRIVE_WITHIN_S)


def assert_each_once_in_order(received: list[tuple[str, str, str, int]],
                              ids: dict[str, Any]) -> None:
    for book in ("first", "second"):
        of_book = [(kind, sequence) for _, kind, book_id, sequence in received
                   if book_id == ids[book]]
        assert [kind for kind, _ in of_book] == EXPECTED[book]
        sequences = [sequence for _, sequence in of_book]
        assert sequences == sorted(set(sequences)), sequences  # in order, none twice
    message_ids = [message_id for message_id, *_ in received]
    assert len(message_ids) == len(set(message_ids))


async def test_the_consumer_sees_each_event_once_in_order(
    database_url: str, tmp_path: Path, broker: str, statistics: AuthorStatistics
) -> None:
    async with fresh_database(database_url, tmp_path) as url, following(broker, statistics), \
            service(url, broker_url(broker)) as client:
        ids = await catalogue_changes(client)
        received = await arrived(statistics, 6)
        await asyncio.sleep(0.2)  # a duplicate would come now, if any
        readiness = (await client.get("/health/ready")).json()

    assert_each_once_in_order(statistics.received(), ids)
    assert len(received) == 6
    assert statistics.dropped_duplicates() == []
    assert statistics.refusals() == []  # every message fit its published schema
    assert statistics.books_credited(ids["han"]) == 1  # the second book; the first is gone
    assert statistics.books_credited(ids["yoko"]) == 0
    assert readiness["events"] == {"pending": 0, "failed": 0}


async def test_a_broker_outage_delays_messages_and_loses_none(
    database_url: str, tmp_path: Path, broker: str, statistics: AuthorStatistics
) -> None:
    proxy = CuttableProxy("127.0.0.1", usual_port(broker))
    await proxy.start()
    async with fresh_database(database_url, tmp_path) as url, following(broker, statistics), \
            service(url, broker_url(broker, proxy.port)) as client:
        # A connection to the broker is open and in use when it goes.
        author = (await client.post("/authors", json={"first_name": "Mo",
                                                      "last_name": "Yan"})).json()["id"]
        book = (await client.post("/books", json=book_body())).json()["id"]
        await client.put(f"/books/{book}/authors/{author}")
        await arrived(statistics, 1)
        await proxy.cut()
        # Requests go on being answered while nothing reaches the broker.
        ids = await catalogue_changes(client)
        engine = create_async_engine(url)
        try:
            async def oldest_waiting() -> Any:
                async with engine.connect() as connection:
                    return (await connection.execute(
                        select(event_publications.c.attempts, event_publications.c.failed_at_ms)
                        .where(event_publications.c.listener.like("broker.%"),
                               event_publications.c.completed_at_ms.is_(None))
                        .order_by(event_publications.c.id).limit(1))).first()

            # Past EVENT_MAX_ATTEMPTS (4 here), and still not given up on.
            waiting = await eventually(oldest_waiting, lambda row: row.attempts > 5,
                                       within_s=ARRIVE_WITHIN_S)
            assert waiting.failed_at_ms is None
            assert len(statistics.received()) == 1  # the one sent before the outage
        finally:
            await engine.dispose()
        await proxy.restore()
        await arrived(statistics, 1 + 6)
        await asyncio.sleep(0.2)
        readiness = (await client.get("/health/ready")).json()
    await proxy.cut()

    assert_each_once_in_order(statistics.received(), ids)
    assert len(statistics.received()) == 1 + 6
    assert statistics.refusals() == []
    assert readiness["events"] == {"pending": 0, "failed": 0}


# RabbitMQ hands the consumer the message sent again, and the consumer drops it by its id;
# JetStream drops it itself (the same Nats-Msg-Id within its duplicate window), so the
# consumer never sees it. Either way it is applied once.
DROPPED_BY_THE_CONSUMER = {"rabbitmq": 1, "nats": 0}


async def test_a_message_sent_again_after_a_crash_is_applied_once(
    database_url: str, tmp_path: Path, broker: str, statistics: AuthorStatistics
) -> None:
    async with fresh_database(database_url, tmp_path) as url, following(broker, statistics), \
            Gate() as gate, httpx.AsyncClient(timeout=ARRIVE_WITHIN_S) as client:
        engine = create_async_engine(url)

        async def sent() -> Any:
            async with engine.connect() as connection:
                return (await connection.execute(
                    select(event_publications.c.attempts, event_publications.c.completed_at_ms)
                    .where(event_publications.c.listener.like("broker.%")))).one()

        try:
            # The first process publishes the credit's message, has it confirmed, and is
            # killed before it marks the publication complete.
            with running_service(url, log=tmp_path / "first.log", stop_with=signal.SIGKILL,
                                 app="tests.system.published_then_killed_app:app",
                                 BROKER_URL=broker_url(broker), EVENT_CLAIM_TIMEOUT_S="1",
                                 **gate.env) as first:
                await start_publication_ids_after_now(url)
                author = (await client.post(f"{first}/authors", json={
                    "first_name": "Han", "last_name": "Kang"})).json()["id"]
                book = (await client.post(f"{first}/books", json=book_body())).json()["id"]
                credited = await client.put(f"{first}/books/{book}/authors/{author}")
                assert credited.status_code == 200
                await gate.until(lambda g: bool(g.held("published")), "a confirmed message")
                await arrived(statistics, 1)
            assert (await sent()).completed_at_ms is None

            # The next service (here, in this process) finds it open once the dead one's claim
            # ends, and sends it again.
            async with service(url, broker_url(broker)):
                done = await eventually(sent, lambda row: row.completed_at_ms is not None,
                                        within_s=ARRIVE_WITHIN_S)

                async def dropped() -> list[str]:
                    return statistics.dropped_duplicates()

                await eventually(dropped,
                                 lambda ids: len(ids) == DROPPED_BY_THE_CONSUMER[broker])
        finally:
            await engine.dispose()

    [(message_id, kind, book_id, sequence)] = statistics.received()
    assert (kind, book_id, sequence) == ("AuthorAddedToBook", book, 1)
    assert done.attempts == 2  # sent by the killed process, and again by the next
    assert statistics.dropped_duplicates() == [message_id] * DROPPED_BY_THE_CONSUMER[broker]
    assert statistics.books_credited(author) == 1
