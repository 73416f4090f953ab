"""Use case: remove an author whom no book credits.

Only the books know whom they credit, and a credit may be on its way to the author (its
event not yet applied), so the author's own list cannot decide. Storage does: the key from
credits to authors refuses the delete (AuthorStillHasBooks, 409) exactly when some book
credits the author, and once the author is gone no book can come to credit them.
"""

from modules.author.application.unit_of_work import AuthorUnitOfWork
from modules.author.domain.errors import AuthorNotFound, AuthorStillHasBooks
from modules.shared_kernel.application.retry import retry_on_conflict
from modules.shared_kernel.application.versions import check_version


async def delete_author(uow: AuthorUnitOfWork, author_id: int, *,
                        expected_version: int | None = None) -> None:
    """`expected_version`: delete only if the author is still at that version (a listener
    applying a book's event moves it too: the author shown has changed)."""

    async def delete() -> None:
        async with uow:
            # Lock order as the listeners': the author's row, then its rows of books. The
            # cascade deletes those rows before the author's; unlocked, that ran against a
            # listener's order and deadlocked.
            author = await uow.authors.get(author_id, for_update=True)
            if author is None:
                raise AuthorNotFound(author_id)
            check_version(author.version, expected_version)
            await uow.authors.remove(author)
            try:
                await uow.commit()
            except AuthorStillHasBooks:
                raise AuthorStillHasBooks(author_id) from None

    # The author's version moves whenever a listener applies a book's event to them; such
    # a race says nothing about whether the author may go, so the delete is tried again
    # (with an expected version, the next try finds the author moved on and refuses).
    await retry_on_conflict(delete)
