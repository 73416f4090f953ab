"""Migration 0005 on a database that holds data from before it: hidden credits of deleted
authors are removed, the new key holds, and events still waiting are renumbered so they apply,
in order, after the upgrade."""

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, MetaData, Table, insert, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tests.integration.migrating import database_at, migrate

BOOK, AUTHOR, GHOST = 7001, 8001, 8999


@pytest.fixture
async def engine_at_0004(database_url: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with database_at("0004", database_url, tmp_path) as engine:
        yield engine


async def a_book_crediting(connection: AsyncConnection, *author_ids: int) -> None:
    """As the service stored it before 0005: a book, an author, and the book's credits."""
    await connection.execute(text(
        "INSERT INTO authors (id, first_name, last_name, version) "
        f"VALUES ({AUTHOR}, 'Han', 'Kang', 1)"))
    await connection.execute(text(
        "INSERT INTO books (id, title, isbn, pages, price_amount, price_currency, "
        f"publication_year, version) VALUES ({BOOK}, 'T', '9788936433598', 1, 1, 'KRW', "
        "2007, 1)"))
    for position, author_id in enumerate(author_ids):
        await connection.execute(text(
            "INSERT INTO book_authors (book_id, author_id, position) "
            f"VALUES ({BOOK}, {author_id}, {position})"))


async def test_upgrading_keeps_waiting_events_in_order_and_drops_hidden_credits(
    engine_at_0004: AsyncEngine,
) -> None:
    engine = engine_at_0004
    async with engine.begin() as connection:
        await a_book_crediting(connection, AUTHOR, GHOST)
        await connection.execute(text(
            f"INSERT INTO author_books (author_id, book_id) VALUES ({AUTHOR}, {BOOK})"))
        table = (await connection.run_sync(lambda c: _reflected(c, "event_publications")))
        for event_type, payload, completed in [
            ("AuthorAddedToBook", {"book_id": BOOK, "author_id": AUTHOR}, 1),
            ("AuthorRemovedFromBook", {"book_id": BOOK, "author_id": AUTHOR}, None),
            ("AuthorAddedToBook", {"book_id": BOOK, "author_id": AUTHOR}, None),
        ]:
            listener = {"AuthorAddedToBook": "author.credit_book",
                        "AuthorRemovedFromBook": "author.uncredit_book"}[event_type]
            await connection.execute(insert(table).values(
                event_type=event_type, schema_version=1, payload=payload, aggregate_id=BOOK,
                listener=listener, created_at_ms=0, attempts=0, next_attempt_at_ms=0,
                completed_at_ms=completed))

    await migrate(engine, "head")

    async with engine.connect() as connection:
        credits = (await connection.execute(text(
            "SELECT author_id FROM book_authors ORDER BY author_id"))).scalars().all()
        waiting = (await connection.execute(text(
            "SELECT schema_version, payload, subscriber FROM event_publications "
            "WHERE completed_at_ms IS NULL ORDER BY id"))).all()
        counter = await connection.scalar(text(
            f"SELECT last_event_sequence FROM books WHERE id = {BOOK}"))
        known = (await connection.execute(text(
            "SELECT credited, book_sequence FROM author_books"))).one()
    assert credits == [AUTHOR]  # the ghost's hidden credit is gone
    assert [(v, _json(p)["sequence"], s) for v, p, s in waiting] == [
        (2, 1, "author"), (2, 2, "author")]
    assert counter == 2  # the book's next event is number 3
    assert tuple(known) == (True, 0)  # below every renumbered event: they all still apply

    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(text(
                "INSERT INTO book_authors (book_id, author_id, position) "
                f"VALUES ({BOOK}, {GHOST}, 1)"))


def _reflected(connection: Connection, name: str) -> Table:
    return Table(name, MetaData(), autoload_with=connection)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


async def test_downgrading_to_0004_keeps_every_credit(engine_at_0004: AsyncEngine) -> None:
    engine = engine_at_0004
    async with engine.begin() as connection:
        await a_book_crediting(connection, AUTHOR)
    await migrate(engine, "0005")

    await migrate(engine, "0004", down=True)

    async with engine.connect() as connection:
        credits = (await connection.execute(text("SELECT book_id, author_id FROM book_authors")))
        assert [tuple(row) for row in credits] == [(BOOK, AUTHOR)]
