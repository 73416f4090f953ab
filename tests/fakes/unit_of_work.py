"""Fake units of work and repositories over an InMemoryCatalogue: the same contract as the
SQLAlchemy ones (one transaction per `async with`, commit stores the changes and their
publications, `published` collects them), so every use case and listener runs on either."""

from collections.abc import Collection
from types import TracebackType
from typing import Any, Self

from modules.author.domain.author import Author
from modules.author.domain.errors import AuthorStillHasBooks
from modules.book.domain.book import Book
from modules.book.domain.errors import IsbnAlreadyUsed, UnknownAuthor
from modules.book.domain.isbn import Isbn
from modules.shared_kernel.application.publications import AlreadyDelivered, Publication
from modules.shared_kernel.domain.errors import ConcurrentChange
from tests.fakes.catalogue import InMemoryCatalogue


class _Repository:
    def __init__(self, catalogue: InMemoryCatalogue, store: dict[int, Any]) -> None:
        self._catalogue, self._store = catalogue, store
        self.seen: dict[int, Any] = {}
        self.removed: set[int] = set()

    async def get(self, key: int, *, for_update: bool = False) -> Any:
        if for_update:
            self._catalogue.locked.append(key)
        found = self.seen.get(key) or self._catalogue.loaded(self._store, key)
        if found is not None:
            self.seen[key] = found
        return found

    async def get_to_learn_of(self, key: int, _about: int) -> Any:
        # The whole author: what the database would leave out plays no part in an event.
        return await self.get(key, for_update=True)

    async def add(self, aggregate: Any) -> None:
        self.seen[aggregate.id] = aggregate

    async def remove(self, aggregate: Any) -> None:
        self.removed.add(aggregate.id)


class FakeBookRepository(_Repository):
    async def isbn_in_use(self, isbn: Isbn, *, other_than: int | None = None) -> bool:
        return any(book.isbn == isbn and book.id != other_than
                   for book in self._catalogue.books.values())


class FakeUnitOfWork:
    def __init__(self, catalogue: InMemoryCatalogue, completing: int | None = None) -> None:
        self.catalogue = catalogue
        self._completing = completing
        self.published: list[Publication] = []
        self.completed = False
        self.commits = 0

    async def __aenter__(self) -> Self:
        self.start()
        return self

    def start(self) -> None: ...

    def _repositories(self) -> list[tuple[_Repository, dict[int, Any]]]:
        raise NotImplementedError

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        pass  # nothing committed stays private, as a rollback leaves it

    async def commit(self) -> None:
        changes = [(repository, store, aggregate) for repository, store in self._repositories()
                   for aggregate in repository.seen.values()]
        for _repository, store, aggregate in changes:
            stored = store.get(aggregate.id)
            if stored is not None and stored.version != aggregate.version:
                raise ConcurrentChange()
        self.check_rules(changes)
        if self._completing is not None and not self.completed:
            if self._completing in self.catalogue.completed:
                raise AlreadyDelivered(self._completing)
            self.catalogue.completed.add(self._completing)
            self.completed = True
        for repository, store, aggregate in changes:
            events = aggregate.pull_events()
            if aggregate.id in repository.removed:
                store.pop(aggregate.id, None)
            else:
                aggregate.version += 1
                store[aggregate.id] = aggregate
            for event in events:
                self.published.extend(self.catalogue.publish(aggregate.id, event))
        self.commits += 1

    def check_rules(self, changes: list[tuple[_Repository, dict[int, Any], Any]]) -> None: ...


class FakeBookUnitOfWork(FakeUnitOfWork):
    def start(self) -> None:
        self.books = FakeBookRepository(self.catalogue, self.catalogue.books)

    def _repositories(self) -> list[tuple[_Repository, dict[int, Any]]]:
        return [(self.books, self.catalogue.books)]

    def check_rules(self, changes: list[tuple[_Repository, dict[int, Any], Any]]) -> None:
        for repository, _store, book in changes:
            if book.id in repository.removed:
                continue
            # The unique key on books.isbn, and the key from credits to authors.
            if any(other.isbn == book.isbn and other.id != book.id
                   for other in self.catalogue.books.values()):
                raise IsbnAlreadyUsed()
            if not set(book.author_ids) <= self.catalogue.authors.keys():
                raise UnknownAuthor()


class FakeAuthorUnitOfWork(FakeUnitOfWork):
    def start(self) -> None:
        self.authors = _Repository(self.catalogue, self.catalogue.authors)

    def _repositories(self) -> list[tuple[_Repository, dict[int, Any]]]:
        return [(self.authors, self.catalogue.authors)]

    def check_rules(self, changes: list[tuple[_Repository, dict[int, Any], Any]]) -> None:
        credited = self.catalogue.credited_author_ids()
        if any(author_id in credited for author_id in self.authors.removed):
            raise AuthorStillHasBooks()


class Overtaken:
    """Mixed into a fake unit of work: another writer commits a change to everything this one
    loaded, just before this one commits (so this one has lost the race)."""

    async def commit(self) -> None:
        for repository, store in self._repositories():  # type: ignore[attr-defined]
            for key in repository.seen:
                if key in store:
                    store[key].version += 1
        await super().commit()  # type: ignore[misc]


class OvertakenBookUnitOfWork(Overtaken, FakeBookUnitOfWork):
    pass


class OvertakenAuthorUnitOfWork(Overtaken, FakeAuthorUnitOfWork):
    pass


class FakeAuthorDirectory:
    def __init__(self, catalogue: InMemoryCatalogue) -> None:
        self._catalogue = catalogue

    async def unknown_ids(self, author_ids: Collection[int]) -> set[int]:
        return set(author_ids) - self._catalogue.authors.keys()


def stored_book(catalogue: InMemoryCatalogue, book: Book) -> Book:
    book.version = 1
    catalogue.books[book.id] = book
    book.pull_events()
    return book


def stored_author(catalogue: InMemoryCatalogue, author: Author) -> Author:
    author.version = 1
    catalogue.authors[author.id] = author
    return author
