"""Books stored through SQLAlchemy on the session of the Book Unit of Work."""

import functools
from typing import Any

from sqlalchemy import Select, bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import class_mapper, joinedload

from modules.book.domain.book import Book
from modules.book.domain.isbn import Isbn
from persistence.tables import books

# Built once (see the queries): "does another book have this ISBN?"
_ISBN_USED = select(exists().where(books.c.isbn == bindparam("isbn"),
                                   books.c.id != bindparam("other_than")))


_LOCK = (select(books.c.id).where(books.c.id == bindparam("book_id"))
         .with_for_update(key_share=True))


@functools.cache
def _book_with_credits() -> Select[Any]:
    """The book and its credits in one statement, a join: the loader's second statement
    (SELECT ... IN) was most of a credit's CPU. Built on first use, once the mappers are in
    place."""
    return (select(Book).where(books.c.id == bindparam("book_id"))
            .options(joinedload(class_mapper(Book).attrs["credits"].class_attribute)))


class SqlAlchemyBookRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, book_id: int, *, for_update: bool = False) -> Book | None:
        if for_update:
            # The row is locked first, by a statement of its own, and only then is the book
            # read with its credits: in one joined statement PostgreSQL would re-read the
            # locked row once the lock came free, but give the joined rows as they were when
            # the statement began (READ COMMITTED), and a change would be made to a stale
            # collection, as the race test caught. NO KEY UPDATE: holds other writers off,
            # but not the key checks of rows that refer to it.
            await self._session.execute(_LOCK, {"book_id": book_id})
        found = await self._session.execute(_book_with_credits(), {"book_id": book_id})
        book: Book | None = found.unique().scalar_one_or_none()
        return book

    async def add(self, book: Book) -> None:
        self._session.add(book)

    async def remove(self, book: Book) -> None:
        await self._session.delete(book)

    async def isbn_in_use(self, isbn: Isbn, *, other_than: int | None = None) -> bool:
        # Ids start at 1, so 0 excludes no book.
        found = await self._session.scalar(
            _ISBN_USED, {"isbn": isbn.value, "other_than": other_than or 0})
        return bool(found)
