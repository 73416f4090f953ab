"""What the Author module needs from storage, in the domain's words."""

from typing import Protocol

from modules.author.domain.author import Author


class AuthorRepository(Protocol):
    async def get(self, author_id: int, *, for_update: bool = False) -> Author | None:
        """The author, or None; `for_update` holds other writers off it until commit."""
        ...

    async def get_to_learn_of(self, author_id: int, book_id: int) -> Author | None:
        """The author, locked until commit, with only what they know of one book: all an
        event about that book needs to be applied, and a credit no longer loads every book
        a prolific author ever wrote. Such an author's `book_ids` name that book at most:
        use it to learn of the book, not to list their books."""
        ...

    async def add(self, author: Author) -> None: ...

    async def remove(self, author: Author) -> None: ...
