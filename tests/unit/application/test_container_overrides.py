"""The fakes stand in for the real units of work as container overrides too: the module's own
bus, from the application container, runs on the in-memory catalogue."""

from collections.abc import Iterator

import pytest
from dependency_injector import providers

from modules.author.domain.author import Author
from modules.author.domain.name import Name
from modules.author.subscriptions import subscribe
from modules.book.application.add_author_to_book import add_author_to_book
from modules.book.domain.book import Book
from modules.book.domain.isbn import Isbn
from modules.book.domain.money import Money
from modules.container import ApplicationContainer
from tests.fakes.catalogue import InMemoryCatalogue
from tests.fakes.delivery import InProcessDelivery
from tests.fakes.unit_of_work import (
    FakeAuthorDirectory,
    FakeAuthorUnitOfWork,
    FakeBookUnitOfWork,
    stored_author,
    stored_book,
)


@pytest.fixture
def on_fakes() -> Iterator[tuple[ApplicationContainer, InMemoryCatalogue]]:
    container = ApplicationContainer()
    catalogue = InMemoryCatalogue(listeners=container.listeners())
    subscribe(container.listeners(), container.author)
    delivery = providers.Object(InProcessDelivery(catalogue))
    with container.book.unit_of_work.override(providers.Factory(FakeBookUnitOfWork, catalogue)), \
            container.author.unit_of_work.override(
                providers.Factory(FakeAuthorUnitOfWork, catalogue)), \
            container.book.deliver.override(delivery), \
            container.book.author_directory.override(
                providers.Object(FakeAuthorDirectory(catalogue))):
        yield container, catalogue


async def test_the_book_modules_bus_runs_on_the_fakes(on_fakes) -> None:  # type: ignore[no-untyped-def]
    container, catalogue = on_fakes
    book = stored_book(catalogue, Book(title="Human Acts", isbn=Isbn("9788936434120"),
                                       pages=224, price=Money(1500), publication_year=2014))
    author = stored_author(catalogue, Author(name=Name("Han", "Kang")))

    await container.book.bus().run(add_author_to_book, book.id, author.id)

    assert catalogue.books[book.id].author_ids == (author.id,)
    assert catalogue.authors[author.id].book_ids == (book.id,)
