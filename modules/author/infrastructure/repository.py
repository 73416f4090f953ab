"""Authors stored through SQLAlchemy on the session of the Author Unit of Work."""

import functools
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import class_mapper, joinedload

from modules.author.domain.author import Author
from persistence.tables import authors


@functools.cache
def _author_with_books() -> Select[Any]:
    """For a change made without a lock (a revision, checked by its version when written):
    the author and its books in one statement, a join; the loader's second statement
    (SELECT ... IN) was most of the CPU. Built on first use, once the mappers are in place."""
    return (select(Author).where(authors.c.id == bindparam("author_id"))
            .options(joinedload(class_mapper(Author).attrs["written"].class_attribute)))


class SqlAlchemyAuthorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, author_id: int, *, for_update: bool = False) -> Author | None:
        if for_update:
            # The row is locked first, and only then are its books read, by a second
            # statement. In one joined statement PostgreSQL would re-read the locked row once
            # the lock came free, but give the joined rows as they were when the statement
            # began (READ COMMITTED): a change would be made to a stale collection, as the
            # race test caught. NO KEY UPDATE: holds other writers off, but not the key checks
            # of rows that refer to it.
            return await self._session.get(Author, author_id, with_for_update={"key_share": True})
        found = await self._session.execute(_author_with_books(), {"author_id": author_id})
        author: Author | None = found.unique().scalar_one_or_none()
        return author

    async def add(self, author: Author) -> None:
        self._session.add(author)

    async def remove(self, author: Author) -> None:
        await self._session.delete(author)
