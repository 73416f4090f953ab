"""Issue 10's four reproductions, each a regression test: the two modules never disagree for
good, a committed write is answered 2xx, and racing deletes do not deadlock into a 500."""

import asyncio
from collections.abc import Collection, Iterator
from dataclasses import replace

import httpx
import pytest
from dependency_injector import providers
from sqlalchemy.exc import TimeoutError as PoolTimeout

from modules.container import ApplicationContainer
from modules.shared_kernel.application.listeners import Listener, Listeners
from modules.shared_kernel.application.message_bus import MessageBus
from modules.shared_kernel.infrastructure.outbox.delivery import EventDelivery
from tests.api.catalogue import assert_problem, books_of, new_author, new_book
from tests.api.listeners import FailsAtFirst, credit_failing
from tests.eventually import eventually


@pytest.fixture
def credit_fails_once(container: ApplicationContainer) -> Iterator[FailsAtFirst]:
    with credit_failing(container, failures=1) as listener:
        yield listener


@pytest.fixture
def credit_never_applied(container: ApplicationContainer) -> Iterator[FailsAtFirst]:
    with credit_failing(container, failures=10**6) as listener:
        yield listener


async def test_a_removal_after_a_credit_that_failed_once_is_applied_after_it(
    client: httpx.AsyncClient, credit_fails_once: FailsAtFirst
) -> None:
    # Reproduction 1: the removal used to be applied first (its own stream), the retried
    # credit after it, and the author listed a book that did not credit them, for good.
    han, book = await new_author(client), await new_book(client)
    assert (await client.put(f"/books/{book['id']}/authors/{han['id']}")).status_code == 200
    assert (await client.delete(f"/books/{book['id']}/authors/{han['id']}")).status_code == 200

    await eventually(lambda: asyncio.sleep(0, credit_fails_once.calls), lambda n: n >= 2)
    await eventually(lambda: books_of(client, han), lambda ids: ids == [])

    assert (await client.delete(f"/authors/{han['id']}")).status_code == 204


async def test_an_author_a_book_credits_cannot_be_deleted_before_the_credit_reached_them(
    client: httpx.AsyncClient, credit_never_applied: FailsAtFirst
) -> None:
    # Reproduction 2: the delete used to answer 204 while the credit was on its way,
    # leaving the book crediting an author who no longer existed.
    han, book = await new_author(client), await new_book(client)
    await client.put(f"/books/{book['id']}/authors/{han['id']}")
    assert await books_of(client, han) == []  # the credit has not reached the author

    assert_problem(await client.delete(f"/authors/{han['id']}"), 409, "author-still-has-books")

    shown = (await client.get(f"/books/{book['id']}")).json()
    assert [a["id"] for a in shown["authors"]] == [han["id"]]


class KnowsEveryone:
    """A directory whose answer is out of date: every author exists."""

    async def unknown_ids(self, author_ids: Collection[int]) -> set[int]:
        return set()


@pytest.fixture
def stale_directory(container: ApplicationContainer) -> Iterator[None]:
    with container.book.author_directory.override(providers.Object(KnowsEveryone())):
        yield


async def test_a_deleted_author_cannot_be_credited_even_when_the_check_missed_the_delete(
    client: httpx.AsyncClient, stale_directory: None
) -> None:
    # Reproduction 2, the gap between the Book module's check and its commit.
    han, book = await new_author(client), await new_book(client)
    assert (await client.delete(f"/authors/{han['id']}")).status_code == 204

    assert_problem(await client.put(f"/books/{book['id']}/authors/{han['id']}"), 404,
                   "author-not-found")
    response = await client.post("/books", json={
        "title": "Greek Lessons", "isbn": "9788954682152", "pages": 200,
        "price": {"amount": 15000}, "publication_year": 2011, "author_ids": [han["id"]]})
    assert_problem(response, 422, "unknown-authors")
    assert (await client.get(f"/books/{book['id']}")).json()["authors"] == []


def no_connection(*_args: object, **_kwargs: object) -> None:
    raise PoolTimeout("QueuePool limit reached, connection timed out")


class WithoutConnections:
    """The pool has no connection to give after the commit: every listener's unit of work,
    and every completion or failure record, times out."""

    def __init__(self, listeners: Listeners) -> None:
        self._listeners = listeners

    def named(self, name: str) -> Listener:
        return replace(self._listeners.named(name), unit_of_work=no_connection)

    complete = fail = staticmethod(no_connection)


@pytest.fixture
def delivery_fails_after_commit(container: ApplicationContainer) -> Iterator[None]:
    without = WithoutConnections(container.listeners())
    failing = EventDelivery(without, without,  # type: ignore[arg-type]
                            container.settings(), container.relay_wakeup(),
                            container.tracing(), container.error_reports())
    bus = MessageBus(container.book.unit_of_work, failing.after_commit)
    with container.book.bus.override(providers.Object(bus)):
        yield


async def test_a_committed_write_is_answered_2xx_when_delivery_after_it_fails(
    client: httpx.AsyncClient, delivery_fails_after_commit: None
) -> None:
    # Reproduction 3: the client used to get 503 for a change that was stored, and its
    # retry a 409 isbn-already-used.
    han = await new_author(client)

    book = await new_book(client, author_ids=[han["id"]])

    assert [a["id"] for a in book["authors"]] == [han["id"]]
    # The publication waits for the relay (after the claim timeout the request set), which
    # this test's settings do not reach; it is open, not lost.
    pending = (await client.get("/admin/event-publications", params={"state": "pending"}))
    assert [p["listener"] for p in pending.json()["items"]] == ["author.credit_book"]


async def test_deleting_a_book_while_its_credit_is_removed_never_answers_500(
    client: httpx.AsyncClient,
) -> None:
    # Reproduction 4: on PostgreSQL the two took the book's and the credits' locks in
    # opposite orders and one of them died of a deadlock (500).
    han = await new_author(client)
    for _ in range(15):
        book = await new_book(client, author_ids=[han["id"]])
        deleted, uncredited = await asyncio.gather(
            client.delete(f"/books/{book['id']}"),
            client.delete(f"/books/{book['id']}/authors/{han['id']}"))
        assert deleted.status_code == 204, deleted.text
        assert uncredited.status_code in (200, 404), uncredited.text
    await eventually(lambda: books_of(client, han), lambda ids: ids == [])
