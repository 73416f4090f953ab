"""The Author module's public API: all other modules may ask of it.

Other modules import nothing else from modules.author (import-linter enforces it).
"""

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from persistence.tables import authors


class AuthorDirectory:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def unknown_ids(self, author_ids: Collection[int]) -> set[int]:
        """The ids among `author_ids` that name no author."""
        wanted = set(author_ids)
        if not wanted:
            return set()
        async with self._session_factory() as session:
            found = await session.scalars(select(authors.c.id).where(authors.c.id.in_(wanted)))
            return wanted - set(found)
