"""What the Author module needs from storage, in the domain's words."""

from typing import Protocol

from modules.author.domain.author import Author


class AuthorRepository(Protocol):
    async def get(self, author_id: int, *, for_update: bool = False) -> Author | None:
        """The author, or None; `for_update` holds other writers off it until commit."""
        ...

    async def add(self, author: Author) -> None: ...

    async def remove(self, author: Author) -> None: ...
