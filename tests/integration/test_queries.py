"""Read models come from SQL shaped for the view, in one round trip each."""

from modules.author.infrastructure.queries import SqlAuthorQueries
from modules.author.public_api import AuthorDirectory
from modules.book.infrastructure.queries import SqlBookQueries
from tests.api.catalogue import new_author, new_book


async def test_a_book_with_its_authors_is_one_statement(client, reads, statements):
    han = await new_author(client)
    shin = await new_author(client, "Kyung-sook", "Shin")
    book = await new_book(client, author_ids=[han["id"], shin["id"]])
    statements.clear()

    shown = await SqlBookQueries(reads).book(int(book["id"]))

    assert [a.first_name for a in shown.authors] == ["Han", "Kyung-sook"]
    assert len(statements) == 1


async def test_a_page_of_books_with_their_authors_is_one_statement(
    client, reads, statements
):
    han = await new_author(client)
    for i in range(4):
        await new_book(client, title=f"Book {i}", author_ids=[han["id"]])
    statements.clear()

    page = await SqlBookQueries(reads).books(title=None, isbn=None, after=None, limit=3)

    assert len(page.items) == 3
    assert page.more
    assert all(b.authors[0].id == int(han["id"]) for b in page.items)
    assert len(statements) == 1


async def test_an_author_with_their_books_is_one_statement(client, reads, statements):
    han = await new_author(client)
    await new_book(client, title="The Vegetarian", author_ids=[han["id"]])
    await new_book(client, title="Human Acts", author_ids=[han["id"]])
    statements.clear()

    shown = await SqlAuthorQueries(reads).author(int(han["id"]))

    assert sorted(b.title for b in shown.books) == ["Human Acts", "The Vegetarian"]
    assert len(statements) == 1


async def test_the_author_directory_names_the_ids_that_are_nobody(client, engine):
    han = await new_author(client)

    unknown = await AuthorDirectory(engine).unknown_ids([int(han["id"]), 5, 6])

    assert unknown == {5, 6}
