"""The Author Unit of Work, repository and event handlers on the real database."""

from modules.author.application.on_author_added_to_book import CreditBookToAuthor
from modules.author.application.on_author_removed_from_book import UncreditBookFromAuthor
from modules.author.application.on_book_deleted import ForgetDeletedBook
from modules.author.domain.author import Author
from modules.author.domain.name import Name
from modules.book.domain.events import AuthorAddedToBook, AuthorRemovedFromBook, BookDeleted


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
    handler = CreditBookToAuthor(author_uow)

    await handler(AuthorAddedToBook(book_id=11, author_id=author.id))
    await handler(AuthorAddedToBook(book_id=11, author_id=author.id))

    assert (await reloaded(author_uow, author)).book_ids == (11,)


async def test_applying_a_removal_twice_is_harmless(author_uow) -> None:
    author = await stored_author(author_uow)
    await CreditBookToAuthor(author_uow)(AuthorAddedToBook(book_id=11, author_id=author.id))
    handler = UncreditBookFromAuthor(author_uow)

    await handler(AuthorRemovedFromBook(book_id=11, author_id=author.id))
    await handler(AuthorRemovedFromBook(book_id=11, author_id=author.id))

    assert (await reloaded(author_uow, author)).book_ids == ()


async def test_a_deleted_book_is_forgotten_by_each_author_and_unknown_ones_are_skipped(
    author_uow,
) -> None:
    first = await stored_author(author_uow)
    second = await stored_author(author_uow)
    credit = CreditBookToAuthor(author_uow)
    for author in (first, second):
        await credit(AuthorAddedToBook(book_id=11, author_id=author.id))
        await credit(AuthorAddedToBook(book_id=12, author_id=author.id))

    await ForgetDeletedBook(author_uow)(
        BookDeleted(book_id=11, author_ids=(first.id, 999, second.id))
    )

    assert (await reloaded(author_uow, first)).book_ids == (12,)
    assert (await reloaded(author_uow, second)).book_ids == (12,)


async def test_an_event_for_an_author_who_is_gone_changes_nothing(author_uow) -> None:
    await CreditBookToAuthor(author_uow)(AuthorAddedToBook(book_id=11, author_id=424242))

    async with author_uow() as uow:
        assert await uow.authors.get(424242) is None
