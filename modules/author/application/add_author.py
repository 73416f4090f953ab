"""Use case: register an author."""

from modules.author.application.unit_of_work import AuthorUnitOfWork
from modules.author.domain.author import Author
from modules.author.domain.name import Name


async def add_author(uow: AuthorUnitOfWork, *, name: Name, biography: str | None = None) -> int:
    author = Author(name=name, biography=biography)
    async with uow:
        await uow.authors.add(author)
        await uow.commit()
    return author.id
