"""Use case: credit an author on a book (idempotent) -> AuthorAddedToBook."""

from collections.abc import Callable

from modules.book.application.author_directory import AuthorDirectory
from modules.book.application.unit_of_work import BookUnitOfWork
from modules.book.domain.errors import AuthorNotFound, BookNotFound
from modules.shared_kernel.application.retry import retry_on_conflict


class AddAuthorToBook:
    def __init__(
        self, unit_of_work: Callable[[], BookUnitOfWork], authors: AuthorDirectory
    ) -> None:
        self._unit_of_work = unit_of_work
        self._authors = authors

    async def __call__(self, book_id: int, author_id: int) -> None:
        # Asked before the Unit of Work opens: holding its connection while the directory
        # waits for another one would let concurrent requests drain the pool and deadlock.
        author_exists = not await self._authors.unknown_ids([author_id])
        # The book row is locked while crediting; on a database without row locks (SQLite)
        # a lost race is simply tried again, since credits commute.
        await retry_on_conflict(lambda: self._add(book_id, author_id, author_exists))

    async def _add(self, book_id: int, author_id: int, author_exists: bool) -> None:
        async with self._unit_of_work() as uow:
            book = await uow.books.get(book_id, for_update=True)
            if book is None:
                raise BookNotFound(book_id)
            if author_id in book.author_ids:
                return
            if not author_exists:
                raise AuthorNotFound(author_id)
            book.add_author(author_id)
            await uow.commit()
