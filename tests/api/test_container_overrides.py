"""A container override in the Book module: swap a provider for the length of a test.

(The Author module's handlers are overridden in test_event_delivery.py.)
"""

from collections.abc import Collection, Iterator

import httpx
import pytest
from dependency_injector import providers

from modules.container import ApplicationContainer
from tests.api.catalogue import assert_problem, new_author, new_book


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
