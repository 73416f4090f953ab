"""Container overrides, one per module: swap a provider for the length of a test."""

from collections.abc import Collection, Iterator

import httpx
import pytest
from dependency_injector import providers

from modules.book.domain.events import AuthorAddedToBook
from modules.container import ApplicationContainer
from tests.api.catalogue import assert_problem, new_author, new_book


class ExplodingHandler:
    """Stands in for the Author module's handler and fails the way a lost database would."""

    def __init__(self) -> None:
        self.received: list[AuthorAddedToBook] = []

    async def __call__(self, event: AuthorAddedToBook) -> None:
        self.received.append(event)
        raise ConnectionError("author database unreachable")


@pytest.fixture
def exploding_handler(container: ApplicationContainer) -> Iterator[ExplodingHandler]:
    handler = ExplodingHandler()
    with container.author.credit_book.override(providers.Object(handler)):
        yield handler


async def test_the_book_change_stands_when_the_author_handler_fails(
    client: httpx.AsyncClient, exploding_handler: ExplodingHandler
) -> None:
    han = await new_author(client)
    book = await new_book(client)

    response = await client.put(f"/books/{book['id']}/authors/{han['id']}")

    assert response.status_code == 200
    assert [a["id"] for a in response.json()["authors"]] == [han["id"]]
    assert exploding_handler.received == [
        AuthorAddedToBook(book_id=int(book["id"]), author_id=int(han["id"]))
    ]
    # Not applied on the Author side: recovering it is the outbox's job.
    assert (await client.get(f"/authors/{han['id']}")).json()["books"] == []


class EmptyDirectory:
    """An Author module that knows nobody."""

    async def unknown_ids(self, author_ids: Collection[int]) -> set[int]:
        return set(author_ids)


@pytest.fixture
def empty_directory(container: ApplicationContainer) -> Iterator[None]:
    with container.book.author_directory.override(providers.Object(EmptyDirectory())):
        yield


async def test_the_book_module_asks_only_the_author_directory_whether_authors_exist(
    client: httpx.AsyncClient, empty_directory: None
) -> None:
    han = await new_author(client)
    book = await new_book(client)

    response = await client.put(f"/books/{book['id']}/authors/{han['id']}")

    assert_problem(response, 404, "author-not-found")
