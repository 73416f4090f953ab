"""The Book Unit of Work and repository on the real database."""

import asyncio

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from modules.author.domain.author import Author
from modules.author.domain.name import Name
from modules.book.domain.book import Book
from modules.book.domain.errors import IsbnAlreadyUsed
from modules.book.domain.events import AuthorAddedToBook, AuthorRemovedFromBook
from modules.book.domain.isbn import Isbn
from modules.book.domain.money import Money
from modules.shared_kernel.domain.errors import ConcurrentChange
from persistence.database import is_sqlite
from persistence.tables import book_authors
from tests.api.catalogue import next_isbn


def a_book(**changes: object) -> Book:
    fields: dict = dict(title="Human Acts", isbn=Isbn(next_isbn()), pages=218,
                        price=Money(15000), publication_year=2014)
    fields.update(changes)
    return Book.catalogue(**fields)


async def stored_authors(author_uow, count: int) -> list[int]:
    """The ids of `count` new authors: a book credits only authors who exist."""
    made = [Author(name=Name("Han", f"Kang{n}")) for n in range(count)]
    async with author_uow() as uow:
        for author in made:
            await uow.authors.add(author)
        await uow.commit()
    return [author.id for author in made]


async def stored_book(book_uow) -> Book:  # type: ignore[no-untyped-def]
    book = a_book()
    async with book_uow() as uow:
        await uow.books.add(book)
        await uow.commit()
    return book


async def test_a_committed_book_is_read_back_whole(book_uow, author_uow) -> None:
    a, b, c = await stored_authors(author_uow, 3)
    book = a_book(author_ids=[c, a, b])
    async with book_uow() as uow:
        await uow.books.add(book)
        await uow.commit()

    async with book_uow() as uow:
        stored = await uow.books.get(book.id)

    assert stored is not None
    assert stored is not book
    assert (stored.title, stored.isbn, stored.price) == (book.title, book.isbn, book.price)
    assert stored.author_ids == (c, a, b)


async def test_leaving_without_commit_stores_nothing_and_publishes_nothing(
    book_uow, author_uow, published
) -> None:
    book = a_book(author_ids=await stored_authors(author_uow, 1))
    async with book_uow() as uow:
        await uow.books.add(book)

    async with book_uow() as uow:
        assert await uow.books.get(book.id) is None
    assert published == []


async def test_events_are_handed_over_after_commit_in_the_order_they_happened(
    book_uow, author_uow, published
) -> None:
    first, second = await stored_authors(author_uow, 2)
    book = a_book(author_ids=[first, second])
    async with book_uow() as uow:
        await uow.books.add(book)
        await uow.commit()
    async with book_uow() as uow:
        stored = await uow.books.get(book.id)
        stored.remove_author(first)
        await uow.commit()

    assert published == [
        AuthorAddedToBook(book.id, first, 1), AuthorAddedToBook(book.id, second, 2),
        AuthorRemovedFromBook(book.id, first, 3),
    ]


async def test_a_change_to_the_authors_alone_bumps_the_version(book_uow, author_uow) -> None:
    [author_id] = await stored_authors(author_uow, 1)
    book = a_book()
    async with book_uow() as uow:
        await uow.books.add(book)
        await uow.commit()
    version_before = book.version  # type: ignore[attr-defined]

    async with book_uow() as uow:
        stored = await uow.books.get(book.id)
        stored.add_author(author_id)
        await uow.commit()

    assert stored.version == version_before + 1


async def test_the_second_of_two_racing_writers_gets_a_conflict_not_a_lost_update(
    book_uow, author_uow, database_url
) -> None:
    if is_sqlite(database_url):
        # SQLite transactions take the write lock when they begin (BEGIN IMMEDIATE): the
        # second writer cannot even read until the first is done, so these two cannot race;
        # interleaved in one task, the second would wait out the busy timeout.
        pytest.skip("SQLite serialises writers from the start of their transactions")
    first_author, second_author = await stored_authors(author_uow, 2)
    book = await stored_book(book_uow)

    async with book_uow() as first, book_uow() as second:
        mine = await first.books.get(book.id)
        theirs = await second.books.get(book.id)
        mine.add_author(first_author)
        theirs.add_author(second_author)
        await first.commit()
        with pytest.raises(ConcurrentChange):
            await second.commit()

    async with book_uow() as uow:
        assert (await uow.books.get(book.id)).author_ids == (first_author,)


async def waiting_for_a_lock(engine: AsyncEngine) -> None:
    """Until some backend waits for a row lock (another process's state: no event to await)."""
    for _ in range(500):
        async with engine.connect() as connection:
            if await connection.scalar(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")):
                return
        await asyncio.sleep(0.01)
    raise AssertionError("no writer ever waited for the lock")


async def test_a_writer_that_waited_for_the_books_lock_sees_the_credits_committed_meanwhile(
    book_uow, author_uow, engine, database_url
) -> None:
    if is_sqlite(database_url):
        pytest.skip("SQLite serialises writers from the start of their transactions")
    first_author, second_author = await stored_authors(author_uow, 2)
    book = await stored_book(book_uow)

    async def second_writer() -> None:
        async with book_uow() as second:
            theirs = await second.books.get(book.id, for_update=True)  # waits for the first
            theirs.add_author(second_author)
            await second.commit()

    async with book_uow() as first:
        mine = await first.books.get(book.id, for_update=True)
        mine.add_author(first_author)
        waiting = asyncio.create_task(second_writer())
        await waiting_for_a_lock(engine)
        await first.commit()
    await waiting

    # Read in one joined statement, the locked row came back fresh but its credits as they
    # were before the first commit: the second credit took position 0 again.
    async with engine.connect() as connection:
        rows = (await connection.execute(
            select(book_authors.c.author_id, book_authors.c.position)
            .where(book_authors.c.book_id == book.id).order_by(book_authors.c.position))).all()
    assert [tuple(row) for row in rows] == [(first_author, 0), (second_author, 1)]


async def test_the_unique_isbn_settles_a_race_the_checks_cannot_see(book_uow) -> None:
    isbn = Isbn(next_isbn())

    async def add() -> None:
        async with book_uow() as uow:
            await uow.books.add(a_book(isbn=isbn))
            await uow.commit()

    outcomes = await asyncio.gather(add(), add(), return_exceptions=True)

    assert sorted(type(o).__name__ for o in outcomes) == ["IsbnAlreadyUsed", "NoneType"]
    assert any(isinstance(o, IsbnAlreadyUsed) for o in outcomes)


async def test_isbn_in_use_can_exclude_the_book_itself(book_uow) -> None:
    book = a_book()
    async with book_uow() as uow:
        await uow.books.add(book)
        await uow.commit()

    async with book_uow() as uow:
        assert await uow.books.isbn_in_use(book.isbn)
        assert not await uow.books.isbn_in_use(book.isbn, other_than=book.id)
        assert not await uow.books.isbn_in_use(Isbn(next_isbn()))


async def test_a_removed_book_takes_its_credits_with_it(
    book_uow, author_uow, published
) -> None:
    author_ids = await stored_authors(author_uow, 2)
    book = a_book(author_ids=author_ids)
    async with book_uow() as uow:
        await uow.books.add(book)
        await uow.commit()

    async with book_uow() as uow:
        stored = await uow.books.get(book.id)
        stored.record_deletion()
        await uow.books.remove(stored)
        await uow.commit()

    async with book_uow() as uow:
        assert await uow.books.get(book.id) is None
    assert published[-1].author_ids == tuple(author_ids)
