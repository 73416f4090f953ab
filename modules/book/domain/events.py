"""What happens to a book that other modules may care about."""

from dataclasses import dataclass

from modules.shared_kernel.domain.events import DomainEvent


@dataclass(frozen=True)
class AuthorAddedToBook(DomainEvent):
    book_id: int
    author_id: int


@dataclass(frozen=True)
class AuthorRemovedFromBook(DomainEvent):
    book_id: int
    author_id: int


@dataclass(frozen=True)
class BookDeleted(DomainEvent):
    book_id: int
    author_ids: tuple[int, ...]
