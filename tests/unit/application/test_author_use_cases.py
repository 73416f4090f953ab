"""The Author module's use cases on the in-memory catalogue."""

import pytest

from modules.author.application.add_author import add_author
from modules.author.application.delete_author import delete_author
from modules.author.application.revise_author import AuthorRevision, revise_author
from modules.author.domain.errors import AuthorNotFound, AuthorStillHasBooks
from modules.author.domain.name import Name
from modules.book.application.add_author_to_book import add_author_to_book
from modules.book.application.add_book import add_book
from modules.book.application.remove_author_from_book import remove_author_from_book
from modules.book.domain.isbn import Isbn
from modules.book.domain.money import Money
from modules.shared_kernel.domain.errors import VersionMismatch
from tests.fakes.unit_of_work import OvertakenAuthorUnitOfWork


async def an_author(author_bus) -> int:  # type: ignore[no-untyped-def]
    return int(await author_bus.run(add_author, name=Name("Han", "Kang"), biography=" Poet "))


async def a_book(book_bus, directory) -> int:  # type: ignore[no-untyped-def]
    return (await book_bus.run(add_book, title="Human Acts", isbn=Isbn("9788936434120"),
                                  pages=224, price=Money(1500, "USD"), publication_year=2014,
                                  authors=directory)).id


async def test_an_author_is_registered_with_a_trimmed_biography(
        author_bus, catalogue) -> None:  # type: ignore[no-untyped-def]
    han = await an_author(author_bus)

    assert catalogue.authors[han].biography == "Poet"


async def test_revising_renames_and_rewrites_only_what_is_given(
        author_bus, catalogue) -> None:  # type: ignore[no-untyped-def]
    han = await an_author(author_bus)

    await author_bus.run(revise_author, han, AuthorRevision(last_name="Gang"))
    await author_bus.run(revise_author, han, AuthorRevision(new_biography=True, biography=None))

    author = catalogue.authors[han]
    assert (author.name, author.biography) == (Name("Han", "Gang"), None)


async def test_revising_the_first_name_alone_keeps_the_last(author_bus, catalogue) -> None:  # type: ignore[no-untyped-def]
    han = await an_author(author_bus)

    await author_bus.run(revise_author, han, AuthorRevision(first_name="Hye-jin"))

    assert catalogue.authors[han].name == Name("Hye-jin", "Kang")


async def test_revising_rewrites_the_biography_given(author_bus, catalogue) -> None:  # type: ignore[no-untyped-def]
    han = await an_author(author_bus)

    await author_bus.run(revise_author, han, AuthorRevision(new_biography=True,
                                                            biography=" Novelist "))

    assert catalogue.authors[han].biography == "Novelist"


async def test_revising_at_a_stale_version_or_an_unknown_author_is_refused(
        author_bus) -> None:  # type: ignore[no-untyped-def]
    han = await an_author(author_bus)

    with pytest.raises(VersionMismatch, match=r"since version 9 \(it is at version 1\)"):
        await author_bus.run(revise_author, han, AuthorRevision(first_name="X"),
                             expected_version=9)
    with pytest.raises(AuthorNotFound) as unknown:
        await author_bus.run(revise_author, 42, AuthorRevision(first_name="X"))
    assert unknown.value.author_id == 42


async def test_a_revision_overtaken_at_the_version_it_named_is_a_version_mismatch(
        author_bus, catalogue) -> None:  # type: ignore[no-untyped-def]
    han = await an_author(author_bus)

    with pytest.raises(VersionMismatch) as refused:
        await revise_author(OvertakenAuthorUnitOfWork(catalogue), han,
                            AuthorRevision(first_name="X"), expected_version=1)

    assert refused.value.expected == 1


async def test_an_author_no_book_credits_is_deleted(author_bus, catalogue) -> None:  # type: ignore[no-untyped-def]
    han = await an_author(author_bus)

    await author_bus.run(delete_author, han)

    assert han not in catalogue.authors
    with pytest.raises(AuthorNotFound) as gone:
        await author_bus.run(delete_author, han)
    assert gone.value.author_id == han


async def test_deleting_an_author_locks_them_first(author_bus, catalogue) -> None:  # type: ignore[no-untyped-def]
    # Lock order as the listeners': the author's row, then (cascading) its rows of books.
    han = await an_author(author_bus)

    await author_bus.run(delete_author, han)

    assert catalogue.locked == [han]


async def test_an_author_a_book_credits_is_not_deleted_even_before_the_author_heard_of_it(
        book_bus, author_bus, directory, delivery, catalogue) -> None:  # type: ignore[no-untyped-def]
    # I3: the books decide, not the author's own list, which may lag behind.
    han, book_id = await an_author(author_bus), await a_book(book_bus, directory)
    delivery.at_once = False
    await book_bus.run(add_author_to_book, book_id, han)
    assert catalogue.authors[han].book_ids == ()

    with pytest.raises(AuthorStillHasBooks) as refused:
        await author_bus.run(delete_author, han)

    assert refused.value.author_id == han
    assert han in catalogue.authors


async def test_an_author_whose_last_credit_was_removed_is_deleted_before_hearing_of_it(
        book_bus, author_bus, directory, delivery, catalogue) -> None:  # type: ignore[no-untyped-def]
    han, book_id = await an_author(author_bus), await a_book(book_bus, directory)
    await book_bus.run(add_author_to_book, book_id, han)
    delivery.at_once = False
    await book_bus.run(remove_author_from_book, book_id, han)
    assert catalogue.authors[han].book_ids == (book_id,)  # the removal is still on its way

    await author_bus.run(delete_author, han)
    await delivery.drain()  # the late removal finds no author: nothing to keep in step

    assert han not in catalogue.authors


async def test_deleting_at_a_stale_version_is_refused_and_at_the_current_one_goes_ahead(
        author_bus, catalogue) -> None:  # type: ignore[no-untyped-def]
    han = await an_author(author_bus)
    current = catalogue.authors[han].version

    with pytest.raises(VersionMismatch):
        await author_bus.run(delete_author, han, expected_version=current + 1)
    assert han in catalogue.authors

    await author_bus.run(delete_author, han, expected_version=current)
    assert han not in catalogue.authors
