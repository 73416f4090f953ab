"""When a book drops an author's credit, the author forgets the book."""

from collections.abc import Callable

from modules.author.application.unit_of_work import AuthorUnitOfWork
from modules.book.domain.events import AuthorRemovedFromBook


class UncreditBookFromAuthor:
    def __init__(self, unit_of_work: Callable[[], AuthorUnitOfWork]) -> None:
        self._unit_of_work = unit_of_work

    async def __call__(self, event: AuthorRemovedFromBook) -> None:
        async with self._unit_of_work() as uow:
            # Locked: events for one author queue up instead of failing each other.
            author = await uow.authors.get(event.author_id, for_update=True)
            if author is not None and author.uncredit_book(event.book_id):
                await uow.commit()
