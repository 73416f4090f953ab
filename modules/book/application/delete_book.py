"""Use case: take a book out of the catalogue -> BookDeleted."""

from modules.book.application.unit_of_work import BookUnitOfWork
from modules.book.domain.errors import BookNotFound
from modules.shared_kernel.application.retry import retry_on_conflict
from modules.shared_kernel.application.versions import check_version


async def delete_book(uow: BookUnitOfWork, book_id: int, *,
                      expected_version: int | None = None) -> None:
    """`expected_version`: delete only if the book is still at that version."""

    async def delete() -> None:
        async with uow:
            # Lock order as in add_author_to_book: the book row first, then (deleting) its
            # credit rows. Deleting the credits before locking the book deadlocked against
            # a concurrent uncredit, which holds the book and then wants the credits.
            book = await uow.books.get(book_id, for_update=True)
            if book is None:
                raise BookNotFound(book_id)
            check_version(book.version, expected_version)
            book.record_deletion()
            await uow.books.remove(book)
            await uow.commit()

    # A lost race leaves the book as it was; deleting it again is what the caller asked
    # (unless they named a version: the next try finds the book moved on and refuses).
    await retry_on_conflict(delete)
