"""Authors stored through SQLAlchemy on the session of the Author Unit of Work."""

from sqlalchemy.ext.asyncio import AsyncSession

from modules.author.domain.author import Author


class SqlAlchemyAuthorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, author_id: int, *, for_update: bool = False) -> Author | None:
        return await self._session.get(Author, author_id, with_for_update=for_update)

    async def add(self, author: Author) -> None:
        self._session.add(author)

    async def remove(self, author: Author) -> None:
        await self._session.delete(author)
