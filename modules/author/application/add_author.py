"""Use case: register an author."""

from collections.abc import Callable

from modules.author.application.unit_of_work import AuthorUnitOfWork
from modules.author.domain.author import Author
from modules.author.domain.name import Name


class AddAuthor:
    def __init__(self, unit_of_work: Callable[[], AuthorUnitOfWork]) -> None:
        self._unit_of_work = unit_of_work

    async def __call__(self, *, name: Name, biography: str | None = None) -> int:
        author = Author(name=name, biography=biography)
        async with self._unit_of_work() as uow:
            await uow.authors.add(author)
            await uow.commit()
        return author.id
