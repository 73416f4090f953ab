"""What happens to a book that other modules may care about.

Every event carries the book's `sequence`: 1 for the book's first event, then 2, 3, ... A
listener that remembers the last sequence it applied for a book can tell an older event
arriving late (a retry, a resubmitted publication) from a newer one, and ignore it.
"""

from dataclasses import dataclass

from modules.shared_kernel.domain.events import DomainEvent


@dataclass(frozen=True)
class AuthorAddedToBook(DomainEvent):
    schema_version = 2  # 2 added `sequence`
    book_id: int
    author_id: int
    sequence: int


@dataclass(frozen=True)
class AuthorRemovedFromBook(DomainEvent):
    schema_version = 2
    book_id: int
    author_id: int
    sequence: int


@dataclass(frozen=True)
class BookDeleted(DomainEvent):
    schema_version = 2
    book_id: int
    author_ids: tuple[int, ...]
    sequence: int
