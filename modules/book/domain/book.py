"""The Book aggregate: a catalogue entry and the ordered list of its authors' ids."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from modules.book.domain.errors import InvalidBook
from modules.book.domain.events import AuthorAddedToBook, AuthorRemovedFromBook, BookDeleted
from modules.book.domain.isbn import Isbn
from modules.book.domain.money import Money
from modules.shared_kernel.domain.events import Aggregate
from modules.shared_kernel.domain.snowflake import next_id

MAX_TITLE = 255
MAX_PAGES = 100_000
FIRST_PRINTED_YEAR = 1450  # Gutenberg; nothing older is a printed book with an ISBN anyway
MAX_AUTHORS = 100


def valid_title(title: str) -> str:
    trimmed = title.strip()
    if not 1 <= len(trimmed) <= MAX_TITLE:
        raise InvalidBook(f"a title has 1 to {MAX_TITLE} characters", field="title")
    return trimmed


def _whole_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def valid_pages(pages: int) -> int:
    if not _whole_number(pages) or not 1 <= pages <= MAX_PAGES:
        raise InvalidBook(f"a book has 1 to {MAX_PAGES} pages", field="pages")
    return pages


def valid_publication_year(year: int) -> int:
    # Next year is allowed: catalogues list books announced for the coming season.
    latest = date.today().year + 1
    if not _whole_number(year) or not FIRST_PRINTED_YEAR <= year <= latest:
        raise InvalidBook(
            f"the publication year is between {FIRST_PRINTED_YEAR} and {latest}",
            field="publication_year",
        )
    return year


@dataclass(eq=False)
class AuthorCredit:
    """One author's place on a book; the position is kept by the mapping's ordering."""

    author_id: int


@dataclass(eq=False)
class Book(Aggregate):
    title: str
    isbn: Isbn
    pages: int
    price: Money
    publication_year: int
    credits: list[AuthorCredit] = field(default_factory=list)
    id: int = field(default_factory=next_id)
    # Optimistic concurrency: storage bumps it with every change, credits included.
    version: int = 0
    # How many events the book has recorded: the next one is numbered one more.
    last_event_sequence: int = 0

    def __post_init__(self) -> None:
        self.title = valid_title(self.title)
        self.pages = valid_pages(self.pages)
        self.publication_year = valid_publication_year(self.publication_year)

    @classmethod
    def catalogue(
        cls,
        *,
        title: str,
        isbn: Isbn,
        pages: int,
        price: Money,
        publication_year: int,
        author_ids: Iterable[int] = (),
    ) -> "Book":
        """A new book, with its authors in the order given."""
        book = cls(title=title, isbn=isbn, pages=pages, price=price,
                   publication_year=publication_year)
        author_ids = list(author_ids)
        if len(set(author_ids)) != len(author_ids):
            raise InvalidBook("an author appears on a book at most once", field="author_ids")
        for author_id in author_ids:
            book.add_author(author_id)
        return book

    @property
    def author_ids(self) -> tuple[int, ...]:
        return tuple(credit.author_id for credit in self.credits)

    def add_author(self, author_id: int) -> bool:
        """Credit an author after the ones already listed; False if already credited."""
        if author_id in self.author_ids:
            return False
        if len(self.credits) >= MAX_AUTHORS:
            raise InvalidBook(f"a book lists at most {MAX_AUTHORS} authors", field="author_ids")
        self.credits.append(AuthorCredit(author_id))
        self.record(AuthorAddedToBook(book_id=self.id, author_id=author_id,
                                      sequence=self._next_sequence()))
        return True

    def remove_author(self, author_id: int) -> bool:
        """Drop an author's credit; False if they were not credited."""
        for credit in self.credits:
            if credit.author_id == author_id:
                self.credits.remove(credit)
                self.record(AuthorRemovedFromBook(book_id=self.id, author_id=author_id,
                                                  sequence=self._next_sequence()))
                return True
        return False

    def retitle(self, title: str) -> None:
        self.title = valid_title(title)

    def change_isbn(self, isbn: Isbn) -> None:
        self.isbn = isbn

    def change_pages(self, pages: int) -> None:
        self.pages = valid_pages(pages)

    def reprice(self, price: Money) -> None:
        self.price = price

    def change_publication_year(self, year: int) -> None:
        self.publication_year = valid_publication_year(year)

    def record_deletion(self) -> None:
        """Record that the book leaves the catalogue (its repository removes it), so its
        authors forget it."""
        self.record(BookDeleted(book_id=self.id, author_ids=self.author_ids,
                                sequence=self._next_sequence()))

    def _next_sequence(self) -> int:
        self.last_event_sequence += 1
        return self.last_event_sequence
