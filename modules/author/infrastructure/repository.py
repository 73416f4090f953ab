"""Authors stored through SQLAlchemy on the session of the Author Unit of Work."""

from sqlalchemy.ext.asyncio import AsyncSession

from modules.author.domain.author import Author


class SqlAlchemyAuthorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, author_id: int, *, for_update: bool = False) -> Author | None:
        # NO KEY UPDATE: holds other writers off, but not the key check of a credit naming
        # this author (a credit and an author's handler need not wait for each other).
        lock = {"key_share": True} if for_update else None
        return await self._session.get(Author, author_id, with_for_update=lock)

    async def add(self, author: Author) -> None:
        self._session.add(author)

    async def remove(self, author: Author) -> None:
        await self._session.delete(author)
