"""When a book leaves the catalogue, each of its authors forgets it."""

from collections.abc import Callable

from modules.author.application.unit_of_work import AuthorUnitOfWork
from modules.book.domain.events import BookDeleted


class ForgetDeletedBook:
    def __init__(self, unit_of_work: Callable[[], AuthorUnitOfWork]) -> None:
        self._unit_of_work = unit_of_work

    async def __call__(self, event: BookDeleted) -> None:
        async with self._unit_of_work() as uow:
            changed = False
            for author_id in event.author_ids:
                author = await uow.authors.get(author_id, for_update=True)
                if author is not None:
                    changed |= author.uncredit_book(event.book_id)
            if changed:
                await uow.commit()
