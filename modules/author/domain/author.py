"""The Author aggregate: a person and the ids of the books credited to them.

The book list is never written by the Book module: it follows the Book module's events
(AuthorAddedToBook, AuthorRemovedFromBook, BookDeleted), and applying one twice changes nothing.
"""

from dataclasses import dataclass, field

from modules.author.domain.errors import AuthorStillHasBooks, InvalidBiography
from modules.author.domain.name import Name
from modules.shared_kernel.domain.events import Aggregate
from modules.shared_kernel.domain.snowflake import next_id

MAX_BIOGRAPHY = 5_000


def valid_biography(biography: str | None) -> str | None:
    if biography is None:
        return None
    trimmed = biography.strip()
    if len(trimmed) > MAX_BIOGRAPHY:
        raise InvalidBiography(f"a biography has at most {MAX_BIOGRAPHY} characters",
                               field="biography")
    return trimmed or None


@dataclass(eq=False)
class WrittenBook:
    book_id: int


@dataclass(eq=False)
class Author(Aggregate):
    name: Name
    biography: str | None = None
    written: list[WrittenBook] = field(default_factory=list)
    id: int = field(default_factory=next_id)
    # Optimistic concurrency: storage bumps it with every change, books included.
    version: int = 0

    def __post_init__(self) -> None:
        self.biography = valid_biography(self.biography)

    @property
    def book_ids(self) -> tuple[int, ...]:
        return tuple(book.book_id for book in self.written)

    def rename(self, name: Name) -> None:
        self.name = name

    def rewrite_biography(self, biography: str | None) -> None:
        self.biography = valid_biography(biography)

    def credit_book(self, book_id: int) -> bool:
        """Remember a book this author is credited on; False if it was known already."""
        if book_id in self.book_ids:
            return False
        self.written.append(WrittenBook(book_id))
        return True

    def uncredit_book(self, book_id: int) -> bool:
        """Forget a book; False if it was not listed."""
        for book in self.written:
            if book.book_id == book_id:
                self.written.remove(book)
                return True
        return False

    def ensure_can_be_deleted(self) -> None:
        if self.written:
            raise AuthorStillHasBooks(self.id, len(self.written))
