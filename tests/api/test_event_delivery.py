"""Events that reach the Author module even when its handler fails: the outbox at work."""

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from dependency_injector import providers

from modules.book.domain.events import AuthorAddedToBook
from modules.container import ApplicationContainer
from tests.api.catalogue import assert_problem, books_of, new_author, new_book
from tests.api.listeners import FailsAtFirst, FailsInTheDatabase, credit_failing
from tests.eventually import eventually


async def publications(client: httpx.AsyncClient, state: str) -> list[dict[str, Any]]:
    response = await client.get("/admin/event-publications", params={"state": state})
    assert response.status_code == 200
    return list(response.json()["items"])


@pytest.fixture
def handler_failing_once(container: ApplicationContainer) -> Iterator[FailsAtFirst]:
    with credit_failing(container, failures=1) as handler:
        yield handler


@pytest.fixture
def handler_failing_in_the_database(container: ApplicationContainer) -> Iterator[None]:
    with container.author.credit_book.override(
            providers.Object(FailsInTheDatabase(container.engine()))):
        yield


@pytest.fixture
def handler_always_failing(container: ApplicationContainer) -> Iterator[FailsAtFirst]:
    with credit_failing(container, failures=10**6) as handler:
        yield handler


async def test_a_handler_that_fails_once_is_retried_and_the_author_catches_up(
    client: httpx.AsyncClient, handler_failing_once: FailsAtFirst
) -> None:
    han = await new_author(client)
    book = await new_book(client)

    response = await client.put(f"/books/{book['id']}/authors/{han['id']}")

    assert response.status_code == 200
    assert [a["id"] for a in response.json()["authors"]] == [han["id"]]
    await eventually(lambda: books_of(client, han), lambda ids: ids == [book["id"]])
    done = await publications(client, "completed")
    assert [(p["listener"], p["attempts"]) for p in done] == [("author.credit_book", 2)]
    assert done[0]["last_error"] == "ConnectionError: author database unreachable"


async def test_a_handler_that_keeps_failing_is_given_up_on_reported_and_resubmitted(
    client: httpx.AsyncClient, handler_always_failing: FailsAtFirst
) -> None:
    han = await new_author(client)
    book = await new_book(client)
    assert (await client.put(f"/books/{book['id']}/authors/{han['id']}")).status_code == 200

    failed = await eventually(lambda: publications(client, "failed"), lambda items: items)

    assert failed[0]["attempts"] == 4  # EVENT_MAX_ATTEMPTS in the test settings
    assert failed[0]["payload"] == {"book_id": book["id"], "author_id": han["id"],
                                    "sequence": 1}
    readiness = (await client.get("/health/ready")).json()
    assert readiness["events"] == {"pending": 0, "failed": 1}
    calls = handler_always_failing.calls
    await asyncio.sleep(0.3)
    assert handler_always_failing.calls == calls  # no more retries once given up

    handler_always_failing.failures = 0  # the handler is mended
    response = await client.post(f"/admin/event-publications/{failed[0]['id']}/resubmit")

    assert response.status_code == 200
    await eventually(lambda: books_of(client, han), lambda ids: ids == [book["id"]])
    assert await publications(client, "failed") == []


async def test_the_operator_listing_shows_ids_as_strings_and_errors_without_sql(
    client: httpx.AsyncClient, handler_failing_in_the_database: None
) -> None:
    # Issue 11: ids above 2^53 were JSON numbers (JavaScript rounds them), and last_error
    # carried the statement, its parameters and the stored values.
    han = await new_author(client)
    book = await new_book(client)
    assert (await client.put(f"/books/{book['id']}/authors/{han['id']}")).status_code == 200

    failed = await eventually(lambda: publications(client, "failed"), lambda items: items)

    shown = failed[0]
    assert shown["payload"] == {"book_id": book["id"], "author_id": han["id"], "sequence": 1}
    assert isinstance(shown["id"], str)
    assert shown["aggregate_id"] == book["id"]
    error = shown["last_error"]
    assert error.startswith("IntegrityError")
    for leak in ("INSERT", "authors", "[SQL", "parameters", FailsInTheDatabase.SECRET,
                 han["id"], "Key (id)"):
        assert leak not in error, error


async def test_only_a_failed_publication_can_be_resubmitted(client: httpx.AsyncClient) -> None:
    han = await new_author(client)
    await new_book(client, author_ids=[han["id"]])
    done = await publications(client, "completed")

    assert_problem(await client.post(f"/admin/event-publications/{done[0]['id']}/resubmit"), 409)
    assert_problem(await client.post("/admin/event-publications/99999999/resubmit"), 404)


async def test_an_exploding_handler_never_turns_the_request_into_a_500(
    client: httpx.AsyncClient, handler_always_failing: FailsAtFirst
) -> None:
    han = await new_author(client)
    book = await new_book(client)

    response = await client.put(f"/books/{book['id']}/authors/{han['id']}")

    assert response.status_code == 200
    assert [a["id"] for a in response.json()["authors"]] == [han["id"]]  # the change stands
    assert handler_always_failing.received[0] == AuthorAddedToBook(
        book_id=int(book["id"]), author_id=int(han["id"]), sequence=1)
    assert await books_of(client, han) == []


async def test_add_remove_add_in_quick_succession_leaves_the_author_listing_the_book(
    client: httpx.AsyncClient,
) -> None:
    han = await new_author(client)
    book = await new_book(client)
    path = f"/books/{book['id']}/authors/{han['id']}"

    for _ in range(5):
        await client.put(path)
        await client.delete(path)
    await client.put(path)

    assert await books_of(client, han) == [book["id"]]


async def test_racing_adds_and_removes_leave_both_sides_agreeing(
    client: httpx.AsyncClient,
) -> None:
    han = await new_author(client)
    book = await new_book(client)
    path = f"/books/{book['id']}/authors/{han['id']}"

    for _ in range(10):
        await asyncio.gather(client.put(path), client.delete(path), client.put(path))

    credited = han["id"] in [a["id"] for a in (await client.get(f"/books/{book['id']}")).json()
                             ["authors"]]
    await eventually(lambda: books_of(client, han),
                     lambda ids: ids == ([book["id"]] if credited else []))


async def test_readiness_reports_the_event_backlog(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok", "migrations": "at head",
                               "events": {"pending": 0, "failed": 0}}
    assert (await client.get("/health/live")).json() == {"status": "live"}
