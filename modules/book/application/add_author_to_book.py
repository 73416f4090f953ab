"""Use case: credit an author on a book (idempotent) -> AuthorAddedToBook."""

from collections.abc import Callable

from modules.book.application.author_directory import AuthorDirectory
from modules.book.application.unit_of_work import BookUnitOfWork
from modules.book.domain.errors import AuthorNotFound, BookNotFound


class AddAuthorToBook:
    def __init__(
        self, unit_of_work: Callable[[], BookUnitOfWork], authors: AuthorDirectory
    ) -> None:
        self._unit_of_work = unit_of_work
        self._authors = authors

    async def __call__(self, book_id: int, author_id: int) -> None:
        async with self._unit_of_work() as uow:
            book = await uow.books.get(book_id)
            if book is None:
                raise BookNotFound(book_id)
            if author_id in book.author_ids:
                return
            if await self._authors.unknown_ids([author_id]):
                raise AuthorNotFound(author_id)
            book.add_author(author_id)
            await uow.commit()
