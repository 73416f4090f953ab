"""Authors stored through SQLAlchemy on the session of the Author Unit of Work."""

import functools
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import class_mapper, joinedload

from modules.author.domain.author import Author, WrittenBook
from persistence.tables import authors

# NO KEY UPDATE: holds other writers off, but not the key check of a credit naming this
# author (a credit and an author's handler need not wait for each other).
_LOCK = (select(authors.c.id).where(authors.c.id == bindparam("author_id"))
         .with_for_update(key_share=True))


def _written() -> Any:
    return class_mapper(Author).attrs["written"].class_attribute


def _written_book_id() -> Any:
    # The mapped attribute, not the column: the join reads author_books under an alias.
    return class_mapper(WrittenBook).attrs["book_id"].class_attribute


@functools.cache
def _author_with_books() -> Select[Any]:
    """The author and their books in one statement, a join (see the book repository).
    Built on first use, once the mappers are in place."""
    return (select(Author).where(authors.c.id == bindparam("author_id"))
            .options(joinedload(_written())))


@functools.cache
def _author_knowing_one_book() -> Select[Any]:
    """The author with their row for one book only, if they have one."""
    return (select(Author).where(authors.c.id == bindparam("author_id"))
            .options(joinedload(
                _written().and_(_written_book_id() == bindparam("book_id")))))


class SqlAlchemyAuthorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, author_id: int, *, for_update: bool = False) -> Author | None:
        if for_update:  # locked first, then read (see the book repository for why)
            await self._session.execute(_LOCK, {"author_id": author_id})
        found = await self._session.execute(_author_with_books(), {"author_id": author_id})
        author: Author | None = found.unique().scalar_one_or_none()
        return author

    async def get_to_learn_of(self, author_id: int, book_id: int) -> Author | None:
        await self._session.execute(_LOCK, {"author_id": author_id})
        found = await self._session.execute(_author_knowing_one_book(),
                                            {"author_id": author_id, "book_id": book_id})
        author: Author | None = found.unique().scalar_one_or_none()
        return author

    async def add(self, author: Author) -> None:
        self._session.add(author)

    async def remove(self, author: Author) -> None:
        await self._session.delete(author)
