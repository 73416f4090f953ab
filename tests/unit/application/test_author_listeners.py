"""The Author module's listeners: each event applied once, and never an older one over a
newer one (issue 10, I6), whatever order deliveries arrive in."""

import itertools

import pytest

from modules.author.application.credit_book import credit_book
from modules.author.application.forget_deleted_book import forget_deleted_book
from modules.author.application.uncredit_book import uncredit_book
from modules.author.domain.author import Author
from modules.author.domain.name import Name
from modules.book.domain.events import AuthorAddedToBook, AuthorRemovedFromBook, BookDeleted
from modules.shared_kernel.application.publications import AlreadyDelivered
from tests.fakes.unit_of_work import FakeAuthorUnitOfWork, stored_author

BOOK = 7


@pytest.fixture
def han(catalogue) -> Author:  # type: ignore[no-untyped-def]
    return stored_author(catalogue, Author(name=Name("Han", "Kang")))


def uow(catalogue, completing: int | None = None) -> FakeAuthorUnitOfWork:  # type: ignore[no-untyped-def]
    return FakeAuthorUnitOfWork(catalogue, completing=completing)


def events_of_one_book(author_id: int) -> list:  # type: ignore[type-arg]
    return [AuthorAddedToBook(book_id=BOOK, author_id=author_id, sequence=1),
            AuthorRemovedFromBook(book_id=BOOK, author_id=author_id, sequence=2),
            AuthorAddedToBook(book_id=BOOK, author_id=author_id, sequence=3),
            BookDeleted(book_id=BOOK, author_ids=(author_id,), sequence=4)]


LISTENER = {AuthorAddedToBook: credit_book, AuthorRemovedFromBook: uncredit_book,
            BookDeleted: forget_deleted_book}


async def test_a_credit_lists_the_book_and_a_removal_forgets_it(catalogue, han) -> None:  # type: ignore[no-untyped-def]
    await credit_book(uow(catalogue), AuthorAddedToBook(book_id=BOOK, author_id=han.id,
                                                        sequence=1))
    assert catalogue.authors[han.id].book_ids == (BOOK,)

    await uncredit_book(uow(catalogue), AuthorRemovedFromBook(book_id=BOOK, author_id=han.id,
                                                              sequence=2))
    assert catalogue.authors[han.id].book_ids == ()


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
async def test_any_delivery_order_ends_where_the_last_event_left_the_credit(
        catalogue, han, order) -> None:  # type: ignore[no-untyped-def]
    events = events_of_one_book(han.id)[:3]  # credited, removed, credited again

    for i in order:
        await LISTENER[type(events[i])](uow(catalogue), events[i])

    assert catalogue.authors[han.id].book_ids == (BOOK,)


async def test_a_resubmitted_old_credit_after_the_book_was_deleted_changes_nothing(
        catalogue, han) -> None:  # type: ignore[no-untyped-def]
    credit, _, _, deleted = events_of_one_book(han.id)
    await credit_book(uow(catalogue), credit)
    await forget_deleted_book(uow(catalogue), deleted)

    await credit_book(uow(catalogue), credit)

    assert catalogue.authors[han.id].book_ids == ()


async def test_a_deleted_book_is_forgotten_by_each_author_that_exists(catalogue, han) -> None:  # type: ignore[no-untyped-def]
    await credit_book(uow(catalogue), AuthorAddedToBook(book_id=BOOK, author_id=han.id,
                                                        sequence=1))

    await forget_deleted_book(uow(catalogue), BookDeleted(book_id=BOOK,
                                                          author_ids=(han.id, 99), sequence=2))

    assert catalogue.authors[han.id].book_ids == ()


@pytest.mark.parametrize("event_type", [AuthorAddedToBook, AuthorRemovedFromBook])
async def test_a_listener_locks_the_author_it_changes(catalogue, han, event_type) -> None:  # type: ignore[no-untyped-def]
    event = event_type(book_id=BOOK, author_id=han.id, sequence=1)

    await LISTENER[event_type](uow(catalogue), event)

    assert catalogue.locked == [han.id]


async def test_a_deleted_books_authors_are_locked_in_ascending_id_order(catalogue, han) -> None:  # type: ignore[no-untyped-def]
    # Two deleted books that share authors cannot each hold one the other waits for.
    await forget_deleted_book(uow(catalogue), BookDeleted(book_id=BOOK,
                                                          author_ids=(han.id, 99, 5), sequence=1))

    assert catalogue.locked == [5, 99, han.id]


async def test_an_event_for_an_author_who_is_gone_completes_with_nothing_to_do(catalogue) -> None:  # type: ignore[no-untyped-def]
    unit = uow(catalogue, completing=5)

    await credit_book(unit, AuthorAddedToBook(book_id=BOOK, author_id=99, sequence=1))

    assert unit.completed
    assert catalogue.completed == {5}


async def test_a_publication_completed_by_another_deliverer_is_not_applied_again(
        catalogue, han) -> None:  # type: ignore[no-untyped-def]
    catalogue.completed.add(5)

    with pytest.raises(AlreadyDelivered):
        await credit_book(uow(catalogue, completing=5),
                          AuthorAddedToBook(book_id=BOOK, author_id=han.id, sequence=1))

    assert catalogue.authors[han.id].book_ids == ()
