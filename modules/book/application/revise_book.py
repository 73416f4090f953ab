"""Use case: change a book's title, ISBN, pages, price or publication year."""

from dataclasses import dataclass

from modules.book.application.unit_of_work import BookUnitOfWork
from modules.book.domain.errors import BookNotFound, IsbnAlreadyUsed
from modules.book.domain.isbn import Isbn
from modules.book.domain.money import Money
from modules.shared_kernel.application.versions import check_version, commit_at_version


@dataclass(frozen=True)
class NewPrice:
    """A new amount, in `currency` or, when none is given, in the book's own currency: a
    price change that names no currency must not quietly convert the book to the default."""

    amount: int
    currency: str | None = None

    def replacing(self, price: Money) -> Money:
        return Money(self.amount, price.currency if self.currency is None else self.currency)


@dataclass(frozen=True)
class BookRevision:
    """The fields to change; None leaves a field as it is."""

    title: str | None = None
    isbn: Isbn | None = None
    pages: int | None = None
    price: NewPrice | None = None
    publication_year: int | None = None


async def revise_book(uow: BookUnitOfWork, book_id: int, revision: BookRevision, *,
                      expected_version: int | None = None) -> None:
    """`expected_version`: change the book only if it is still at that version."""
    async with uow:
        book = await uow.books.get(book_id)
        if book is None:
            raise BookNotFound(book_id)
        check_version(book.version, expected_version)
        if revision.title is not None:
            book.retitle(revision.title)
        if revision.isbn is not None and revision.isbn != book.isbn:
            if await uow.books.isbn_in_use(revision.isbn, other_than=book_id):
                raise IsbnAlreadyUsed(revision.isbn.value)
            book.change_isbn(revision.isbn)
        if revision.pages is not None:
            book.change_pages(revision.pages)
        if revision.price is not None:
            book.reprice(revision.price.replacing(book.price))
        if revision.publication_year is not None:
            book.change_publication_year(revision.publication_year)
        await commit_at_version(uow, expected_version)
