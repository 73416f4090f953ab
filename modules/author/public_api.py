"""The Author module's public API: all other modules may ask of it.

Other modules import nothing else from modules.author (import-linter enforces it).
"""

from collections.abc import Collection

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.database import reading
from persistence.tables import authors

_EXISTING = select(authors.c.id).where(authors.c.id.in_(bindparam("ids", expanding=True)))


class AuthorDirectory:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = reading(engine)

    async def unknown_ids(self, author_ids: Collection[int]) -> set[int]:
        """The ids among `author_ids` that name no author."""
        wanted = set(author_ids)
        if not wanted:
            return set()
        async with self._engine.connect() as connection:
            found = await connection.scalars(_EXISTING, {"ids": list(wanted)})
            return wanted - set(found)
