"""Migration 0007 on a database that holds books and authors from before it: their search
keys are filled in, so they are found like new ones; going back down keeps every row."""

import unicodedata
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from modules.author.infrastructure.queries import SqlAuthorQueries
from modules.book.infrastructure.queries import SqlBookQueries
from persistence.migrations import alembic_config
from persistence.reads import Reads
from tests.integration.migrating import database_at, migrate

BOOK, AUTHOR = 7001, 8001
DECOMPOSED_HAN = unicodedata.normalize("NFD", "한")


@pytest.fixture
async def engine_before_0007(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A database at the revision 0007 follows, holding one credited book and its author."""
    before = ScriptDirectory.from_config(alembic_config(database_url)).get_revision("0007")
    async with database_at(str(before.down_revision), database_url, tmp_path) as engine:
        async with engine.begin() as connection:
            await connection.execute(text(
                "INSERT INTO authors (id, first_name, last_name, version) "
                f"VALUES ({AUTHOR}, 'ÉMILE', :last, 1)"), {"last": DECOMPOSED_HAN})
            await connection.execute(text(
                "INSERT INTO books (id, title, isbn, pages, price_amount, price_currency, "
                f"publication_year, version) VALUES ({BOOK}, 'Straße der Émile', "
                "'9788936433598', 1, 1, 'KRW', 2007, 1)"))
            await connection.execute(text(
                f"INSERT INTO book_authors (book_id, author_id, position) "
                f"VALUES ({BOOK}, {AUTHOR}, 0)"))
        yield engine


async def test_rows_from_before_are_found_by_any_case_and_form_after_upgrading(
    engine_before_0007: AsyncEngine,
) -> None:
    engine = engine_before_0007

    await migrate(engine, "head")

    reads = Reads(engine)
    try:
        books = await SqlBookQueries(reads).books(title="STRASSE DER émile", isbn=None,
                                                  after=None, limit=20)
        found_by = {name: await SqlAuthorQueries(reads).authors(name=name, after=None, limit=20)
                    for name in ["émile", "한"]}  # the stored name is decomposed; "한" is not
    finally:
        await reads.close()
    assert [book.id for book in books.items] == [BOOK]
    for authors in found_by.values():
        assert [author.id for author in authors.items] == [AUTHOR]


async def test_downgrading_drops_the_keys_and_keeps_every_row(
    engine_before_0007: AsyncEngine,
) -> None:
    engine = engine_before_0007
    await migrate(engine, "0007")

    await migrate(engine, "-1", down=True)

    async with engine.connect() as connection:
        columns = await connection.run_sync(lambda c: {
            table: {column["name"] for column in inspect(c).get_columns(table)}
            for table in ("books", "authors")})
        indexes = await connection.run_sync(
            lambda c: {index["name"] for index in inspect(c).get_indexes("books")})
        credits = (await connection.execute(text(
            "SELECT book_id, author_id FROM book_authors"))).all()
    assert "title_key" not in columns["books"]
    assert not {"first_name_key", "last_name_key"} & columns["authors"]
    assert credits == [(BOOK, AUTHOR)]  # a rebuilt table on SQLite would have lost them
    if engine.dialect.name == "postgresql":
        assert "ix_books_title_trgm" in indexes  # 0004's, as it was
