"""When a book credits an author, the author lists the book (in the Author's own transaction)."""

import logging
from collections.abc import Callable

from modules.author.application.unit_of_work import AuthorUnitOfWork
from modules.book.domain.events import AuthorAddedToBook

log = logging.getLogger(__name__)


class CreditBookToAuthor:
    def __init__(self, unit_of_work: Callable[[], AuthorUnitOfWork]) -> None:
        self._unit_of_work = unit_of_work

    async def __call__(self, event: AuthorAddedToBook) -> None:
        async with self._unit_of_work() as uow:
            # Locked: events for one author queue up instead of failing each other.
            author = await uow.authors.get(event.author_id, for_update=True)
            if author is None:
                # Deleted after the book checked it existed; nothing to keep in step.
                log.warning("author %s of book %s no longer exists", event.author_id, event.book_id)
                return
            if author.credit_book(event.book_id):
                await uow.commit()
