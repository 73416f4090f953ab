"""Use case: take an author's credit off a book -> AuthorRemovedFromBook."""

from collections.abc import Callable

from modules.book.application.unit_of_work import BookUnitOfWork
from modules.book.domain.errors import AuthorNotFound, BookNotFound
from modules.shared_kernel.application.retry import retry_on_conflict


class RemoveAuthorFromBook:
    def __init__(self, unit_of_work: Callable[[], BookUnitOfWork]) -> None:
        self._unit_of_work = unit_of_work

    async def __call__(self, book_id: int, author_id: int) -> None:
        # Like crediting: the row is locked, and a lost race (SQLite) is simply tried again.
        await retry_on_conflict(lambda: self._remove(book_id, author_id))

    async def _remove(self, book_id: int, author_id: int) -> None:
        async with self._unit_of_work() as uow:
            book = await uow.books.get(book_id, for_update=True)
            if book is None:
                raise BookNotFound(book_id)
            if not book.remove_author(author_id):
                raise AuthorNotFound(author_id)
            await uow.commit()
