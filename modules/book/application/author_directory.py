"""What the Book module asks of the Author module: only whether authors exist.

The Author module's public API (modules.author.public_api.AuthorDirectory) fits this shape;
the containers connect the two, so this module never imports the Author module.
"""

from collections.abc import Collection
from typing import Protocol


class AuthorDirectory(Protocol):
    async def unknown_ids(self, author_ids: Collection[int]) -> set[int]:
        """The ids among `author_ids` that name no author."""
        ...
