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
) -> Book:
    """The book as stored: its id, and the version storage gave it."""
    book = Book.catalogue(title=title, isbn=isbn, pages=pages, price=price,
                          publication_year=publication_year, author_ids=author_ids)
    # Storage answers both questions a new book raises: the ISBN's unique key whether another
    # book has it, the key from credits to authors whether they exist. Asked beforehand,
    # each would cost a statement on every new book, and settle no race with a writer that
    # comes after the answer.
    try:
        async with uow:
            await uow.books.add(book)
            await uow.commit()
    except IsbnAlreadyUsed:
        raise IsbnAlreadyUsed(isbn.value) from None
    except UnknownAuthor:
        # Only now is the Author module asked, to name every unknown id, not just the first.
        raise UnknownAuthors(sorted(await authors.unknown_ids(author_ids))) from None
    return book
