"""Use case: take an author's credit off a book -> AuthorRemovedFromBook."""

from modules.book.application.unit_of_work import BookUnitOfWork
from modules.book.domain.errors import AuthorNotCredited, BookNotFound
from modules.shared_kernel.application.retry import retry_on_conflict
from modules.shared_kernel.application.versions import check_version


async def remove_author_from_book(uow: BookUnitOfWork, book_id: int, author_id: int, *,
                                  expected_version: int | None = None) -> None:
    """`expected_version`: uncredit only if the book is still at that version."""

    async def uncredit() -> None:
        async with uow:
            # Lock order as in add_author_to_book: the book row, then its credit rows.
            book = await uow.books.get(book_id, for_update=True)
            if book is None:
                raise BookNotFound(book_id)
            check_version(book.version, expected_version)
            if not book.remove_author(author_id):
                raise AuthorNotCredited(book_id, author_id)
            await uow.commit()

    # A lost race is tried again; with an expected version, the next try refuses.
    await retry_on_conflict(uncredit)
