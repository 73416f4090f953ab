"""What the Book module needs from storage, in the domain's words."""

from typing import Protocol

from modules.book.domain.book import Book
from modules.book.domain.isbn import Isbn


class BookRepository(Protocol):
    async def get(self, book_id: int, *, for_update: bool = False) -> Book | None:
        """The book, or None; `for_update` holds other writers off it until commit."""
        ...

    async def add(self, book: Book) -> None: ...

    async def remove(self, book: Book) -> None: ...

    async def isbn_in_use(self, isbn: Isbn, *, other_than: int | None = None) -> bool: ...
