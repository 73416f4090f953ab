"""Books stored through SQLAlchemy on the session of the Book Unit of Work."""

from sqlalchemy import bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from modules.book.domain.book import Book
from modules.book.domain.isbn import Isbn
from persistence.tables import books

# Built once (see the queries): "does another book have this ISBN?"
_ISBN_USED = select(exists().where(books.c.isbn == bindparam("isbn"),
                                   books.c.id != bindparam("other_than")))


class SqlAlchemyBookRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, book_id: int, *, for_update: bool = False) -> Book | None:
        # NO KEY UPDATE: holds other writers off, but not the key checks of rows that refer to it.
        lock = {"key_share": True} if for_update else None
        return await self._session.get(Book, book_id, with_for_update=lock)

    async def add(self, book: Book) -> None:
        self._session.add(book)

    async def remove(self, book: Book) -> None:
        await self._session.delete(book)

    async def isbn_in_use(self, isbn: Isbn, *, other_than: int | None = None) -> bool:
        # Ids start at 1, so 0 excludes no book.
        found = await self._session.scalar(
            _ISBN_USED, {"isbn": isbn.value, "other_than": other_than or 0})
        return bool(found)
