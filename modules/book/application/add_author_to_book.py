"""Use case: credit an author on a book (idempotent) -> AuthorAddedToBook."""

from modules.book.application.unit_of_work import BookUnitOfWork
from modules.book.domain.errors import BookNotFound, UnknownAuthor
from modules.shared_kernel.application.retry import retry_on_conflict
from modules.shared_kernel.application.versions import check_version


async def add_author_to_book(uow: BookUnitOfWork, book_id: int, author_id: int, *,
                             expected_version: int | None = None) -> None:
    """`expected_version`: credit only if the book is still at that version.

    Whether the author exists is storage's to say (UnknownAuthor on commit, I2): it settles
    a credit racing the author's deletion, which no question asked beforehand could, so
    the Author module is not asked first (it cost a statement on every credit)."""

    async def credit() -> None:
        async with uow:
            # Lock order: the book row, then its credit rows, then (by the key check) the
            # author's row; every writer of credits takes them in this order.
            book = await uow.books.get(book_id, for_update=True)
            if book is None:
                raise BookNotFound(book_id)
            # Before the idempotent no-op: a stale If-Match is a 412 even when the author
            # is credited already (RFC 9110 evaluates the precondition first).
            check_version(book.version, expected_version)
            if book.add_author(author_id):
                await uow.commit()

    try:
        # A lost race (a deadlock, or SQLite's optimistic version check) is tried again:
        # credits commute. With an expected version the next try finds the book moved on
        # and refuses (VersionMismatch).
        await retry_on_conflict(credit)
    except UnknownAuthor:
        raise UnknownAuthor(author_id) from None
