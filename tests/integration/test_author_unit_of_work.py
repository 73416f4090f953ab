"""The Author Unit of Work, repository and event handlers on the real database."""

import pytest

from modules.author.application.credit_book import credit_book
from modules.author.application.delete_author import delete_author
from modules.author.application.forget_deleted_book import forget_deleted_book
from modules.author.application.uncredit_book import uncredit_book
from modules.author.domain.author import Author
from modules.author.domain.errors import AuthorStillHasBooks
from modules.author.domain.name import Name
from modules.book.domain.book import Book
from modules.book.domain.events import AuthorAddedToBook, AuthorRemovedFromBook, BookDeleted
from modules.book.domain.isbn import Isbn
from modules.book.domain.money import Money
from tests.api.catalogue import next_isbn


async def stored_author(author_uow, **fields) -> Author:
    author = Author(name=Name("Han", "Kang"), **fields)
    async with author_uow() as uow:
        await uow.authors.add(author)
        await uow.commit()
    return author


async def reloaded(author_uow, author: Author) -> Author:
    async with author_uow() as uow:
        found = await uow.authors.get(author.id)
    assert found is not None
    return found


async def test_an_author_and_their_name_are_read_back(author_uow) -> None:
    author = await stored_author(author_uow, biography="Novelist.")

    found = await reloaded(author_uow, author)

    assert found.name == Name("Han", "Kang")
    assert found.biography == "Novelist."


async def test_applying_author_added_to_book_twice_lists_the_book_once(author_uow) -> None:
    author = await stored_author(author_uow)
    event = AuthorAddedToBook(book_id=11, author_id=author.id, sequence=1)

    await credit_book(author_uow(), event)
    await credit_book(author_uow(), event)

    assert (await reloaded(author_uow, author)).book_ids == (11,)


async def test_applying_a_removal_twice_is_harmless(author_uow) -> None:
    author = await stored_author(author_uow)
    await credit_book(author_uow(), AuthorAddedToBook(book_id=11, author_id=author.id, sequence=1))
    removal = AuthorRemovedFromBook(book_id=11, author_id=author.id, sequence=2)

    await uncredit_book(author_uow(), removal)
    await uncredit_book(author_uow(), removal)

    assert (await reloaded(author_uow, author)).book_ids == ()


async def test_each_change_to_the_books_alone_bumps_the_version(author_uow) -> None:
    # Uncrediting changes the remembered book's row in place, not the list: still a change.
    author = await stored_author(author_uow)
    versions = [author.version]
    for event in (AuthorAddedToBook(book_id=11, author_id=author.id, sequence=1),
                  AuthorRemovedFromBook(book_id=11, author_id=author.id, sequence=2),
                  AuthorAddedToBook(book_id=11, author_id=author.id, sequence=3)):
        handler = credit_book if isinstance(event, AuthorAddedToBook) else uncredit_book
        await handler(author_uow(), event)
        versions.append((await reloaded(author_uow, author)).version)

    assert versions == sorted(set(versions))


async def test_a_child_row_taken_from_the_list_alone_bumps_the_version(author_uow) -> None:
    # No use case takes a book off the list yet (uncredited ones are remembered): a purge of
    # those would, and the author's ETag must move with it.
    author = await stored_author(author_uow)
    await credit_book(author_uow(), AuthorAddedToBook(book_id=11, author_id=author.id, sequence=1))
    before = (await reloaded(author_uow, author)).version

    async with author_uow() as uow:
        found = await uow.authors.get(author.id, for_update=True)
        assert found is not None
        found.written.clear()
        await uow.commit()

    after = await reloaded(author_uow, author)
    assert (after.book_ids, after.version) == ((), before + 1)


async def test_a_deleted_book_is_forgotten_by_each_author_and_unknown_ones_are_skipped(
    author_uow,
) -> None:
    first = await stored_author(author_uow)
    second = await stored_author(author_uow)
    for sequence, author in enumerate((first, second), start=1):
        for book_id in (11, 12):
            await credit_book(author_uow(), AuthorAddedToBook(
                book_id=book_id, author_id=author.id, sequence=sequence))

    await forget_deleted_book(author_uow(), BookDeleted(
        book_id=11, author_ids=(first.id, 999, second.id), sequence=3))

    assert (await reloaded(author_uow, first)).book_ids == (12,)
    assert (await reloaded(author_uow, second)).book_ids == (12,)


async def test_an_event_for_an_author_who_is_gone_changes_nothing(author_uow) -> None:
    await credit_book(author_uow(), AuthorAddedToBook(book_id=11, author_id=424242, sequence=1))

    async with author_uow() as uow:
        assert await uow.authors.get(424242) is None


async def credited_book(book_uow, author: Author) -> Book:
    book = Book.catalogue(title="Human Acts", isbn=Isbn(next_isbn()), pages=218,
                          price=Money(15000), publication_year=2014, author_ids=[author.id])
    async with book_uow() as uow:
        await uow.books.add(book)
        await uow.commit()
    return book


async def test_an_author_a_book_credits_cannot_be_deleted(author_uow, book_uow) -> None:
    # Even before the credit's event reached the author: storage decides, not the author.
    author = await stored_author(author_uow)
    await credited_book(book_uow, author)

    with pytest.raises(AuthorStillHasBooks):
        await delete_author(author_uow(), author.id)

    assert await reloaded(author_uow, author)


async def test_an_author_whose_last_credit_is_removed_can_be_deleted(
    author_uow, book_uow
) -> None:
    author = await stored_author(author_uow)
    book = await credited_book(book_uow, author)
    async with book_uow() as uow:
        stored = await uow.books.get(book.id)
        stored.remove_author(author.id)
        await uow.commit()

    await delete_author(author_uow(), author.id)

    async with author_uow() as uow:
        assert await uow.authors.get(author.id) is None
