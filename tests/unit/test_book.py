from datetime import date
from typing import Any

import pytest

from modules.book.domain.book import Book
from modules.book.domain.errors import InvalidBook
from modules.book.domain.events import AuthorAddedToBook, AuthorRemovedFromBook, BookDeleted
from modules.book.domain.isbn import Isbn
from modules.book.domain.money import Money
from tests.unit.helpers import assert_published

NEXT_YEAR = date.today().year + 1


def catalogue(**overrides: Any) -> Book:
    fields: dict[str, Any] = {
        "title": "The Pragmatic Programmer",
        "isbn": Isbn.parse("0-306-40615-2"),
        "pages": 352,
        "price": Money(32_000),
        "publication_year": 1999,
    }
    return Book.catalogue(**(fields | overrides))


def refusal(**overrides: Any) -> InvalidBook:
    with pytest.raises(InvalidBook) as error:
        catalogue(**overrides)
    return error.value


def field_rejected(**overrides: Any) -> str | None:
    return refusal(**overrides).field


def test_the_title_is_trimmed() -> None:
    assert catalogue(title="  Dune \n").title == "Dune"


@pytest.mark.parametrize("title", ["a", "a" * 255])
def test_a_title_of_1_to_255_characters_is_accepted(title: str) -> None:
    assert catalogue(title=title).title == title


@pytest.mark.parametrize("title", ["", "   \t", "a" * 256])
def test_a_title_outside_1_to_255_characters_is_rejected(title: str) -> None:
    assert field_rejected(title=title) == "title"


@pytest.mark.parametrize("pages", [1, 100_000])
def test_pages_at_the_bounds_are_accepted(pages: int) -> None:
    assert catalogue(pages=pages).pages == pages


@pytest.mark.parametrize("pages", [0, -5, 100_001, True, 12.5])
def test_pages_outside_1_to_100000_are_rejected(pages: int) -> None:
    assert field_rejected(pages=pages) == "pages"


@pytest.mark.parametrize("year", [1450, NEXT_YEAR])
def test_a_publication_year_from_1450_to_next_year_is_accepted(year: int) -> None:
    assert catalogue(publication_year=year).publication_year == year


@pytest.mark.parametrize("year", [1449, NEXT_YEAR + 1, 2000.5, False])
def test_a_publication_year_outside_1450_to_next_year_is_rejected(year: int) -> None:
    assert field_rejected(publication_year=year) == "publication_year"


@pytest.mark.parametrize(("overrides", "message"), [
    ({"title": ""}, "a title has 1 to 255 characters"),
    ({"pages": 0}, "a book has 1 to 100000 pages"),
    ({"publication_year": 1449}, f"the publication year is between 1450 and {NEXT_YEAR}"),
    ({"author_ids": [7, 7]}, "an author appears on a book at most once"),
    ({"author_ids": range(1, 102)}, "a book lists at most 100 authors"),
])
def test_a_refused_book_is_told_why(overrides: dict[str, Any], message: str) -> None:
    assert str(refusal(**overrides)) == message


def test_an_author_listed_twice_is_rejected() -> None:
    assert field_rejected(author_ids=[7, 8, 7]) == "author_ids"


def test_more_than_100_authors_are_rejected() -> None:
    assert field_rejected(author_ids=range(1, 102)) == "author_ids"


def test_100_authors_are_accepted() -> None:
    assert len(catalogue(author_ids=range(1, 101)).author_ids) == 100


def test_authors_keep_the_order_given() -> None:
    assert catalogue(author_ids=[30, 10, 20]).author_ids == (30, 10, 20)


def test_cataloguing_with_authors_records_one_addition_per_author_in_order() -> None:
    book = catalogue(author_ids=[30, 10])
    assert book.recorded_events == (
        AuthorAddedToBook(book_id=book.id, author_id=30, sequence=1),
        AuthorAddedToBook(book_id=book.id, author_id=10, sequence=2),
    )


def test_a_catalogued_book_keeps_what_it_was_given() -> None:
    book = catalogue()
    assert (book.title, book.isbn, book.pages, book.price, book.publication_year) == (
        "The Pragmatic Programmer", Isbn("9780306406157"), 352, Money(32_000), 1999)


def test_a_book_without_authors_records_nothing() -> None:
    assert catalogue().recorded_events == ()


def test_each_new_book_gets_its_own_id() -> None:
    assert catalogue().id != catalogue().id


def test_adding_an_author_credits_them_last() -> None:
    book = catalogue(author_ids=[1])
    book.add_author(2)
    assert book.author_ids == (1, 2)


def test_adding_an_author_records_it() -> None:
    book = catalogue()
    book.add_author(5)
    assert_published(AuthorAddedToBook, book, book_id=book.id, author_id=5, sequence=1)


def test_adding_a_credited_author_again_returns_false() -> None:
    book = catalogue(author_ids=[5])
    assert book.add_author(5) is False


def test_adding_a_credited_author_again_records_nothing() -> None:
    book = catalogue(author_ids=[5])
    book.pull_events()
    book.add_author(5)
    assert book.recorded_events == ()


def test_removing_an_author_drops_their_credit() -> None:
    book = catalogue(author_ids=[1, 2, 3])
    book.remove_author(2)
    assert book.author_ids == (1, 3)


def test_removing_an_author_records_it() -> None:
    book = catalogue(author_ids=[1, 2])
    book.remove_author(2)
    assert_published(AuthorRemovedFromBook, book, book_id=book.id, author_id=2, sequence=3)


def test_removing_an_uncredited_author_returns_false() -> None:
    assert catalogue(author_ids=[1]).remove_author(9) is False


def test_removing_an_uncredited_author_records_nothing() -> None:
    book = catalogue(author_ids=[1])
    book.pull_events()
    book.remove_author(9)
    assert book.recorded_events == ()


def test_deleting_records_the_authors_it_leaves() -> None:
    book = catalogue(author_ids=[4, 2])
    book.record_deletion()
    assert_published(BookDeleted, book, book_id=book.id, author_ids=(4, 2), sequence=3)


def test_pull_events_hands_over_the_record() -> None:
    book = catalogue(author_ids=[1])
    assert book.pull_events() == [AuthorAddedToBook(book_id=book.id, author_id=1, sequence=1)]


def test_pull_events_empties_the_record() -> None:
    book = catalogue(author_ids=[1])
    book.pull_events()
    assert book.pull_events() == []


def test_each_event_carries_the_next_number_of_the_book() -> None:
    book = catalogue(author_ids=[1, 2])
    book.remove_author(1)
    book.record_deletion()
    assert [event.sequence for event in book.pull_events()] == [1, 2, 3, 4]
    assert book.last_event_sequence == 4


def test_adding_or_removing_nothing_uses_no_number() -> None:
    book = catalogue(author_ids=[1])
    book.add_author(1)
    book.remove_author(9)
    assert book.last_event_sequence == 1
