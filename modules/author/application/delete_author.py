"""Use case: remove an author who is credited on no book."""

from collections.abc import Callable

from modules.author.application.unit_of_work import AuthorUnitOfWork
from modules.author.domain.errors import AuthorNotFound


class DeleteAuthor:
    def __init__(self, unit_of_work: Callable[[], AuthorUnitOfWork]) -> None:
        self._unit_of_work = unit_of_work

    async def __call__(self, author_id: int) -> None:
        async with self._unit_of_work() as uow:
            author = await uow.authors.get(author_id)
            if author is None:
                raise AuthorNotFound(author_id)
            author.ensure_can_be_deleted()
            await uow.authors.remove(author)
            await uow.commit()
