"""Use case: put a new book in the catalogue, optionally with its authors."""

from collections.abc import Callable, Sequence

from modules.book.application.author_directory import AuthorDirectory
from modules.book.application.unit_of_work import BookUnitOfWork
from modules.book.domain.book import Book
from modules.book.domain.errors import IsbnAlreadyUsed, UnknownAuthors
from modules.book.domain.isbn import Isbn
from modules.book.domain.money import Money


class AddBook:
    def __init__(
        self, unit_of_work: Callable[[], BookUnitOfWork], authors: AuthorDirectory
    ) -> None:
        self._unit_of_work = unit_of_work
        self._authors = authors

    async def __call__(
        self,
        *,
        title: str,
        isbn: Isbn,
        pages: int,
        price: Money,
        publication_year: int,
        author_ids: Sequence[int] = (),
    ) -> int:
        book = Book.catalogue(title=title, isbn=isbn, pages=pages, price=price,
                              publication_year=publication_year, author_ids=author_ids)
        if author_ids and (unknown := await self._authors.unknown_ids(author_ids)):
            raise UnknownAuthors(sorted(unknown))
        async with self._unit_of_work() as uow:
            if await uow.books.isbn_in_use(isbn):
                raise IsbnAlreadyUsed(isbn.value)
            await uow.books.add(book)
            await uow.commit()
        return book.id
