"""Use case: change a book's title, ISBN, pages, price or publication year."""

from collections.abc import Callable
from dataclasses import dataclass

from modules.book.application.unit_of_work import BookUnitOfWork
from modules.book.domain.errors import BookNotFound, IsbnAlreadyUsed
from modules.book.domain.isbn import Isbn
from modules.book.domain.money import Money
from modules.shared_kernel.application.versions import commit_at_version
from modules.shared_kernel.domain.errors import VersionMismatch


@dataclass(frozen=True)
class BookRevision:
    """The fields to change; None leaves a field as it is."""

    title: str | None = None
    isbn: Isbn | None = None
    pages: int | None = None
    price: Money | None = None
    publication_year: int | None = None


class ReviseBook:
    def __init__(self, unit_of_work: Callable[[], BookUnitOfWork]) -> None:
        self._unit_of_work = unit_of_work

    async def __call__(
        self, book_id: int, revision: BookRevision, *, expected_version: int | None = None
    ) -> None:
        """`expected_version`: change the book only if it is still at that version."""
        async with self._unit_of_work() as uow:
            book = await uow.books.get(book_id)
            if book is None:
                raise BookNotFound(book_id)
            if expected_version is not None and book.version != expected_version:
                raise VersionMismatch(expected_version, book.version)
            if revision.title is not None:
                book.retitle(revision.title)
            if revision.isbn is not None and revision.isbn != book.isbn:
                if await uow.books.isbn_in_use(revision.isbn, other_than=book_id):
                    raise IsbnAlreadyUsed(revision.isbn.value)
                book.change_isbn(revision.isbn)
            if revision.pages is not None:
                book.change_pages(revision.pages)
            if revision.price is not None:
                book.reprice(revision.price)
            if revision.publication_year is not None:
                book.change_publication_year(revision.publication_year)
            await commit_at_version(uow, expected_version)
