"""Use case: take a book out of the catalogue -> BookDeleted."""

from collections.abc import Callable

from modules.book.application.unit_of_work import BookUnitOfWork
from modules.book.domain.errors import BookNotFound


class DeleteBook:
    def __init__(self, unit_of_work: Callable[[], BookUnitOfWork]) -> None:
        self._unit_of_work = unit_of_work

    async def __call__(self, book_id: int) -> None:
        async with self._unit_of_work() as uow:
            book = await uow.books.get(book_id)
            if book is None:
                raise BookNotFound(book_id)
            book.delete()
            await uow.books.remove(book)
            await uow.commit()
