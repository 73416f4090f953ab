"""A container override in the Book module: swap a provider for the length of a test.

(The Author module's handlers are overridden in test_event_delivery.py.)
"""

from collections.abc import Collection, Iterator

import httpx
import pytest
from dependency_injector import providers

from modules.book.application.author_directory import AuthorDirectory
from modules.container import ApplicationContainer
from tests.api.catalogue import assert_problem, book_body, new_author, new_book


class AskedDirectory:
    """The Author module's directory, noting what it is asked."""

    def __init__(self, directory: AuthorDirectory) -> None:
        self.directory, self.asked = directory, list[set[int]]()

    async def unknown_ids(self, author_ids: Collection[int]) -> set[int]:
        self.asked.append(set(author_ids))
        return await self.directory.unknown_ids(author_ids)


@pytest.fixture
def asked_directory(container: ApplicationContainer) -> Iterator[AskedDirectory]:
    directory = AskedDirectory(container.book.author_directory())
    with container.book.author_directory.override(providers.Object(directory)):
        yield directory


async def test_the_book_module_asks_the_author_directory_only_to_name_unknown_authors(
    client: httpx.AsyncClient, asked_directory: AskedDirectory
) -> None:
    han = await new_author(client)
    book = await new_book(client, author_ids=[han["id"]])  # storage's key said yes
    assert (await client.put(f"/books/{book['id']}/authors/{han['id']}")).status_code == 200
    assert asked_directory.asked == []

    response = await client.post("/books", json=book_body(author_ids=[han["id"], "12345"]))

    problem = assert_problem(response, 422, "unknown-authors")
    assert "12345" in problem["detail"]
    assert asked_directory.asked == [{int(han["id"]), 12345}]
