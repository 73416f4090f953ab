"""Use case: put a new book in the catalogue, optionally with its authors."""

from collections.abc import Sequence

from modules.book.application.author_directory import AuthorDirectory
from modules.book.application.unit_of_work import BookUnitOfWork
from modules.book.domain.book import Book
from modules.book.domain.errors import IsbnAlreadyUsed, UnknownAuthor, UnknownAuthors
from modules.book.domain.isbn import Isbn
from modules.book.domain.money import Money


async def add_book(
    uow: BookUnitOfWork, *, title: str, isbn: Isbn, pages: int, price: Money,
    publication_year: int, author_ids: Sequence[int] = (), authors: AuthorDirectory,
) -> int:
    book = Book.catalogue(title=title, isbn=isbn, pages=pages, price=price,
                          publication_year=publication_year, author_ids=author_ids)
    # Asked before the unit of work opens (see add_author_to_book); storage settles the
    # race with a delete that comes after this answer.
    if author_ids and (unknown := await authors.unknown_ids(author_ids)):
        raise UnknownAuthors(sorted(unknown))
    try:
        async with uow:
            if await uow.books.isbn_in_use(isbn):
                raise IsbnAlreadyUsed(isbn.value)
            await uow.books.add(book)
            await uow.commit()
    except UnknownAuthor:
        raise UnknownAuthors(sorted(await authors.unknown_ids(author_ids))) from None
    return book.id
