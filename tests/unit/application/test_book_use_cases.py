"""The Book module's use cases, run through the message bus on the in-memory catalogue."""

from typing import Any

import pytest

from modules.author.application.add_author import add_author
from modules.author.domain.name import Name
from modules.book.application.add_author_to_book import add_author_to_book
from modules.book.application.add_book import add_book
from modules.book.application.delete_book import delete_book
from modules.book.application.remove_author_from_book import remove_author_from_book
from modules.book.application.revise_book import BookRevision, NewPrice, revise_book
from modules.book.domain.errors import (
    AuthorNotCredited,
    BookNotFound,
    IsbnAlreadyUsed,
    UnknownAuthor,
    UnknownAuthors,
)
from modules.book.domain.events import AuthorAddedToBook, AuthorRemovedFromBook, BookDeleted
from modules.book.domain.isbn import Isbn
from modules.book.domain.money import Money
from modules.shared_kernel.domain.errors import ConcurrentChange, VersionMismatch
from tests.fakes.unit_of_work import FakeBookRepository, FakeBookUnitOfWork, OvertakenBookUnitOfWork

VEGETARIAN = Isbn("9788936433598")
HUMAN_ACTS = Isbn("9788937460449")


async def a_book(book_bus, directory, isbn=VEGETARIAN, author_ids=(),  # type: ignore[no-untyped-def]
                 price=Money(13500)) -> int:
    return (await book_bus.run(add_book, title="The Vegetarian", isbn=isbn, pages=192,
                                  price=price, publication_year=2007,
                                  author_ids=author_ids, authors=directory)).id


async def an_author(author_bus, first: str = "Han") -> int:  # type: ignore[no-untyped-def]
    return int(await author_bus.run(add_author, name=Name(first, "Kang")))


def as_stored(book: Any) -> tuple[Any, ...]:
    return book.title, book.isbn, book.pages, book.price, book.publication_year


async def test_a_new_book_is_stored_as_given(book_bus, directory, catalogue) -> None:  # type: ignore[no-untyped-def]
    book_id = await a_book(book_bus, directory)

    assert as_stored(catalogue.books[book_id]) == (
        "The Vegetarian", VEGETARIAN, 192, Money(13500), 2007)


async def test_adding_a_book_with_its_authors_credits_them_on_both_sides(
        book_bus, author_bus, directory, catalogue) -> None:  # type: ignore[no-untyped-def]
    han, deborah = await an_author(author_bus), await an_author(author_bus, "Deborah")

    book_id = await a_book(book_bus, directory, author_ids=[han, deborah])

    assert catalogue.books[book_id].author_ids == (han, deborah)
    assert catalogue.authors[han].book_ids == (book_id,)
    assert catalogue.authors[deborah].book_ids == (book_id,)
    assert [p.event for p in catalogue.publications] == [
        AuthorAddedToBook(book_id=book_id, author_id=han, sequence=1),
        AuthorAddedToBook(book_id=book_id, author_id=deborah, sequence=2),
    ]


async def test_a_new_book_naming_unknown_authors_is_refused(
        book_bus, directory, catalogue) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownAuthors) as refused:
        await a_book(book_bus, directory, author_ids=[42])

    assert refused.value.author_ids == [42]
    assert catalogue.books == {}


async def test_an_isbn_is_used_by_one_book_only(book_bus, directory) -> None:  # type: ignore[no-untyped-def]
    await a_book(book_bus, directory)

    with pytest.raises(IsbnAlreadyUsed) as refused:
        await a_book(book_bus, directory)
    assert refused.value.isbn == VEGETARIAN.value


async def test_a_new_book_crediting_unknown_authors_is_refused_naming_every_one(
        book_bus, author_bus, directory, catalogue) -> None:  # type: ignore[no-untyped-def]
    # Storage refuses the first unknown credit; the answer names them all.
    han, deborah = await an_author(author_bus), await an_author(author_bus, "Deborah")
    del catalogue.authors[han]  # deleted a moment before the book's transaction

    with pytest.raises(UnknownAuthors) as refused:
        await a_book(book_bus, directory, author_ids=[9, deborah, han])

    assert refused.value.author_ids == sorted([9, han])
    assert catalogue.books == {}


async def test_crediting_an_author_reaches_the_author_through_the_event(
        book_bus, author_bus, directory, catalogue) -> None:  # type: ignore[no-untyped-def]
    han, book_id = await an_author(author_bus), await a_book(book_bus, directory)

    await book_bus.run(add_author_to_book, book_id, han)

    assert catalogue.books[book_id].author_ids == (han,)
    assert catalogue.authors[han].book_ids == (book_id,)
    assert catalogue.open_publications() == []


async def test_crediting_twice_records_one_event(
        book_bus, author_bus, directory, catalogue) -> None:  # type: ignore[no-untyped-def]
    han, book_id = await an_author(author_bus), await a_book(book_bus, directory)

    await book_bus.run(add_author_to_book, book_id, han)
    await book_bus.run(add_author_to_book, book_id, han)

    assert len(catalogue.publications) == 1


async def test_crediting_an_unknown_author_or_on_an_unknown_book_is_not_found(
        book_bus, author_bus, directory) -> None:  # type: ignore[no-untyped-def]
    han, book_id = await an_author(author_bus), await a_book(book_bus, directory)

    with pytest.raises(UnknownAuthor) as no_author:
        await book_bus.run(add_author_to_book, book_id, 42)
    with pytest.raises(BookNotFound) as no_book:
        await book_bus.run(add_author_to_book, 43, han)
    assert (no_author.value.author_id, no_book.value.book_id) == (42, 43)


async def test_an_author_deleted_before_the_credit_commits_is_not_credited(
        book_bus, author_bus, directory, catalogue) -> None:  # type: ignore[no-untyped-def]
    # Issue 10, reproduction 2: storage's key, not an earlier question, decides.
    han, book_id = await an_author(author_bus), await a_book(book_bus, directory)
    del catalogue.authors[han]  # deleted a moment before the book's transaction

    with pytest.raises(UnknownAuthor) as refused:
        await book_bus.run(add_author_to_book, book_id, han)

    assert refused.value.author_id == han
    assert catalogue.books[book_id].author_ids == ()


async def test_removing_a_credit_reaches_the_author(
        book_bus, author_bus, directory, catalogue) -> None:  # type: ignore[no-untyped-def]
    han = await an_author(author_bus)
    book_id = await a_book(book_bus, directory, author_ids=[han])

    await book_bus.run(remove_author_from_book, book_id, han)

    assert catalogue.books[book_id].author_ids == ()
    assert catalogue.authors[han].book_ids == ()
    assert catalogue.publications[-1].event == AuthorRemovedFromBook(
        book_id=book_id, author_id=han, sequence=2)


async def test_removing_an_author_not_credited_is_not_found(
        book_bus, author_bus, directory) -> None:  # type: ignore[no-untyped-def]
    han, book_id = await an_author(author_bus), await a_book(book_bus, directory)

    with pytest.raises(AuthorNotCredited) as not_credited:
        await book_bus.run(remove_author_from_book, book_id, han)
    with pytest.raises(BookNotFound) as no_book:
        await book_bus.run(remove_author_from_book, 42, han)
    assert str(not_credited.value) == f"author {han} is not credited on book {book_id}"
    assert no_book.value.book_id == 42


async def test_a_deleted_book_is_forgotten_by_its_authors(
        book_bus, author_bus, directory, catalogue) -> None:  # type: ignore[no-untyped-def]
    han, deborah = await an_author(author_bus), await an_author(author_bus, "Deborah")
    book_id = await a_book(book_bus, directory, author_ids=[deborah, han])

    await book_bus.run(delete_book, book_id)

    assert book_id not in catalogue.books
    assert catalogue.authors[han].book_ids == catalogue.authors[deborah].book_ids == ()
    assert catalogue.publications[-1].event == BookDeleted(
        book_id=book_id, author_ids=(deborah, han), sequence=3)
    with pytest.raises(BookNotFound) as gone:
        await book_bus.run(delete_book, book_id)
    assert gone.value.book_id == book_id


@pytest.mark.parametrize("writer", ["credit", "uncredit", "delete"])
async def test_each_writer_of_credits_locks_the_book_first(
        book_bus, author_bus, directory, catalogue, writer) -> None:  # type: ignore[no-untyped-def]
    # The lock order every writer of credits keeps: the book row, then its credit rows.
    han, deborah = await an_author(author_bus), await an_author(author_bus, "Deborah")
    book_id = await a_book(book_bus, directory, author_ids=[han])
    catalogue.locked.clear()

    if writer == "credit":
        await book_bus.run(add_author_to_book, book_id, deborah)
    elif writer == "uncredit":
        await book_bus.run(remove_author_from_book, book_id, han)
    else:
        await book_bus.run(delete_book, book_id)

    assert catalogue.locked[0] == book_id


async def test_revising_a_book_changes_only_what_is_given(
        book_bus, directory, catalogue) -> None:  # type: ignore[no-untyped-def]
    book_id = await a_book(book_bus, directory)

    await book_bus.run(revise_book, book_id, BookRevision(title="Human Acts", pages=224))

    book = catalogue.books[book_id]
    assert (book.title, book.pages, book.isbn) == ("Human Acts", 224, VEGETARIAN)


async def test_a_new_amount_without_a_currency_keeps_the_books_currency(
        book_bus, directory, catalogue) -> None:  # type: ignore[no-untyped-def]
    book_id = await a_book(book_bus, directory, price=Money(1500, "USD"))

    await book_bus.run(revise_book, book_id, BookRevision(price=NewPrice(2499)))
    assert catalogue.books[book_id].price == Money(2499, "USD")
    await book_bus.run(revise_book, book_id, BookRevision(price=NewPrice(30, "EUR")))
    assert catalogue.books[book_id].price == Money(30, "EUR")


@pytest.mark.parametrize(("field", "value", "stored"), [
    ("title", "Human Acts", "Human Acts"), ("isbn", HUMAN_ACTS, HUMAN_ACTS),
    ("pages", 224, 224), ("price", NewPrice(15000), Money(15000)),
    ("publication_year", 2014, 2014),
])
async def test_revising_a_book_changes_the_field_given_and_no_other(
        book_bus, directory, catalogue, field, value, stored) -> None:  # type: ignore[no-untyped-def]
    book_id = await a_book(book_bus, directory)
    before = {"title": "The Vegetarian", "isbn": VEGETARIAN, "pages": 192,
              "price": Money(13500), "publication_year": 2007}

    await book_bus.run(revise_book, book_id, BookRevision(**{field: value}))

    assert as_stored(catalogue.books[book_id]) == tuple((before | {field: stored}).values())


async def test_revising_at_a_stale_version_or_onto_a_used_isbn_is_refused(
        book_bus, directory, catalogue) -> None:  # type: ignore[no-untyped-def]
    book_id = await a_book(book_bus, directory)
    other = Isbn("9788937460449")
    await a_book(book_bus, directory, isbn=other)

    with pytest.raises(VersionMismatch, match=r"since version 7 \(it is at version 1\)"):
        await book_bus.run(revise_book, book_id, BookRevision(pages=1), expected_version=7)
    with pytest.raises(IsbnAlreadyUsed) as used:
        await book_bus.run(revise_book, book_id, BookRevision(isbn=other))
    with pytest.raises(BookNotFound) as no_book:
        await book_bus.run(revise_book, 42, BookRevision(pages=1))
    assert (used.value.isbn, no_book.value.book_id) == (other.value, 42)
    assert catalogue.books[book_id].pages == 192


async def test_credit_changes_and_deletion_at_a_stale_version_are_refused(
        book_bus, author_bus, directory, catalogue) -> None:  # type: ignore[no-untyped-def]
    # If-Match on PUT and DELETE: the book's version is checked on the locked book.
    han, deborah = await an_author(author_bus), await an_author(author_bus, "Deborah")
    book_id = await a_book(book_bus, directory, author_ids=[han])
    stale = catalogue.books[book_id].version + 1

    with pytest.raises(VersionMismatch):
        await book_bus.run(add_author_to_book, book_id, deborah,
                           expected_version=stale)
    with pytest.raises(VersionMismatch):
        await book_bus.run(remove_author_from_book, book_id, han, expected_version=stale)
    with pytest.raises(VersionMismatch):
        await book_bus.run(delete_book, book_id, expected_version=stale)
    assert catalogue.books[book_id].author_ids == (han,)


async def test_credit_changes_and_deletion_at_the_current_version_go_ahead(
        book_bus, author_bus, directory, catalogue) -> None:  # type: ignore[no-untyped-def]
    han = await an_author(author_bus)
    book_id = await a_book(book_bus, directory)

    def current() -> int:
        return int(catalogue.books[book_id].version)

    await book_bus.run(add_author_to_book, book_id, han,
                       expected_version=current())
    await book_bus.run(remove_author_from_book, book_id, han, expected_version=current())
    await book_bus.run(delete_book, book_id, expected_version=current())
    assert book_id not in catalogue.books


async def test_a_revision_overtaken_at_the_version_it_named_is_a_version_mismatch(
        book_bus, directory, catalogue) -> None:  # type: ignore[no-untyped-def]
    book_id = await a_book(book_bus, directory)

    with pytest.raises(VersionMismatch) as refused:
        await revise_book(OvertakenBookUnitOfWork(catalogue), book_id, BookRevision(pages=1),
                          expected_version=1)

    assert refused.value.expected == 1


async def test_a_revision_overtaken_without_naming_a_version_is_a_concurrent_change(
        book_bus, directory, catalogue) -> None:  # type: ignore[no-untyped-def]
    book_id = await a_book(book_bus, directory)

    with pytest.raises(ConcurrentChange):
        await revise_book(OvertakenBookUnitOfWork(catalogue), book_id, BookRevision(pages=1))


class IsbnGivenByAnotherWriter(FakeBookUnitOfWork):
    """Right after this unit of work loads a book, another writer gives it HUMAN_ACTS."""

    def start(self) -> None:
        self.books = _IsbnGivenOnLoad(self.catalogue, self.catalogue.books)


class _IsbnGivenOnLoad(FakeBookRepository):
    async def get(self, key: int, *, for_update: bool = False) -> Any:
        loaded = await super().get(key, for_update=for_update)
        stored = self._catalogue.books[key]
        stored.isbn, stored.version = HUMAN_ACTS, stored.version + 1
        return loaded


async def test_revising_onto_the_isbn_another_writer_just_gave_the_same_book_is_a_version_clash(
        book_bus, directory, catalogue) -> None:  # type: ignore[no-untyped-def]
    # Not IsbnAlreadyUsed: no other book has that ISBN, this one has lost a race.
    book_id = await a_book(book_bus, directory)

    with pytest.raises(VersionMismatch):
        await revise_book(IsbnGivenByAnotherWriter(catalogue), book_id,
                          BookRevision(isbn=HUMAN_ACTS), expected_version=1)
