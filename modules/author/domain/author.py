"""The Author aggregate: a person and the books credited to them.

The book list is never written by the Book module: it follows the Book module's events
(AuthorAddedToBook, AuthorRemovedFromBook, BookDeleted). For each book the author remembers
the sequence of the last event that changed its credit, so applying an event twice, or an
older event after a newer one, changes nothing.

Whether an author may be deleted is not the author's to say: only the books know who they
credit, so storage refuses to delete an author a book still credits (see persistence/).
"""

from dataclasses import dataclass, field

from modules.author.domain.errors import InvalidBiography
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
    """What the author knows of one book: credited or not, as of the book's event number
    `book_sequence`. An uncredited book is remembered too, so a late, older credit of it
    cannot bring it back."""

    book_id: int
    credited: bool
    book_sequence: int


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
        return tuple(book.book_id for book in self.written if book.credited)

    def rename(self, name: Name) -> None:
        self.name = name

    def rewrite_biography(self, biography: str | None) -> None:
        self.biography = valid_biography(biography)

    def credit_book(self, book_id: int, *, sequence: int) -> bool:
        """The book credits this author as of its event `sequence`; False if the author
        already knew that or something newer."""
        return self._learn(book_id, credited=True, sequence=sequence)

    def uncredit_book(self, book_id: int, *, sequence: int) -> bool:
        """The book no longer credits this author (or was deleted) as of its event
        `sequence`; False if the author already knew that or something newer."""
        return self._learn(book_id, credited=False, sequence=sequence)

    def _learn(self, book_id: int, *, credited: bool, sequence: int) -> bool:
        known = next((book for book in self.written if book.book_id == book_id), None)
        if known is None:
            self.written.append(WrittenBook(book_id, credited, sequence))
            return True
        if known.book_sequence >= sequence:
            return False
        known.credited, known.book_sequence = credited, sequence
        return True
