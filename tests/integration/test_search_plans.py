"""On PostgreSQL, title and name searches for a rare term reach their trigram indexes: EXPLAIN
of exactly the statements the queries send, among enough rows that a scan would cost, as
planned for the term and as a generic plan (cached for a prepared statement) would be."""

import math
import random
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from modules.author.infrastructure.queries import SqlAuthorQueries
from modules.book.infrastructure.queries import SqlBookQueries
from persistence.database import create_engine
from persistence.migrations import upgrade_to_head
from persistence.reads import Reads
from persistence.search_keys import search_key
from persistence.tables import authors, books
from tests.system.databases import fresh_database

ROWS = 20_000  # books, and as many authors
WORDS = ("river mountain silent winter garden house letter night city child stone song sea "
         "light shadow forest road dream fire glass paper bird island moon").split()

Sent = tuple[str, tuple[Any, ...]]


@pytest.fixture(scope="module")
async def catalogue(database_url: str, tmp_path_factory: pytest.TempPathFactory,
                    ) -> AsyncIterator[AsyncEngine]:
    """A database of its own, with ROWS books and authors; one of each has a rare word."""
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's: set TEST_DATABASE_URL to PostgreSQL")
    async with fresh_database(database_url, tmp_path_factory.mktemp("plans")) as url:
        engine = create_engine(url)
        await upgrade_to_head(engine)
        rng = random.Random(12)
        titles = [f"The {rng.choice(WORDS)} of {rng.choice(WORDS)} {i}" for i in range(ROWS)]
        titles[ROWS // 2] = "The Zephyrine Tales"
        names = [(rng.choice(WORDS).title(), rng.choice(WORDS).title()) for _ in range(ROWS)]
        names[ROWS // 3] = ("Quokka", "Lindqvist")
        async with engine.begin() as connection:
            await connection.execute(insert(books), [
                {"id": i + 1, "title": title, "title_key": search_key(title),
                 "isbn": f"{i:013d}", "pages": 100, "price_amount": 1, "price_currency": "KRW",
                 "publication_year": 2000, "version": 1} for i, title in enumerate(titles)])
            await connection.execute(insert(authors), [
                {"id": i + 1, "first_name": first, "last_name": last,
                 "first_name_key": search_key(first), "last_name_key": search_key(last),
                 "version": 1} for i, (first, last) in enumerate(names)])
        async with engine.connect() as connection:  # what autovacuum would do in time
            await connection.execute(text("ANALYZE books, authors"))
            await connection.commit()
        yield engine
        await engine.dispose()


@pytest.fixture(scope="module")
async def reads(catalogue: AsyncEngine) -> AsyncIterator[Reads]:
    reads = Reads(catalogue)
    yield reads
    await reads.close()


async def sent_by(reads: Reads, search: Callable[[], Awaitable[Any]]) -> list[Sent]:
    """The statements `search` sends, with their arguments."""
    sent: list[Sent] = []
    with reads.watching(lambda statement, arguments: sent.append((statement, arguments))):
        await search()
    return sent


async def plans(engine: AsyncEngine, statement: str, parameters: tuple[Any, ...]) -> list[str]:
    """The plan made for these parameters, and the generic plan PostgreSQL may cache for a
    prepared statement after a few runs, which knows nothing of the term."""
    async with engine.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        custom = await driver.fetch(f"EXPLAIN {statement}", *parameters)
        await driver.execute("SET plan_cache_mode = force_generic_plan")
        await driver.execute(f"PREPARE search AS {statement}")
        try:
            arguments = ", ".join(_literal(parameter) for parameter in parameters)
            generic = await driver.fetch(f"EXPLAIN EXECUTE search({arguments})")
        finally:
            await driver.execute("DEALLOCATE search; RESET plan_cache_mode")
    return ["\n".join(row[0] for row in plan) for plan in (custom, generic)]


def _literal(value: Any) -> str:
    return str(value) if isinstance(value, int) else "'" + str(value).replace("'", "''") + "'"


async def sampled_title(engine: AsyncEngine) -> str:
    """A title ANALYZE kept in the column's histogram: the planner counts each of those as
    1 % of the books, so a term only that title has looks common to it."""
    async with engine.connect() as connection:
        bounds = await connection.scalar(text(
            "SELECT histogram_bounds::text::text[] FROM pg_stats "
            "WHERE tablename = 'books' AND attname = 'title_key'"))
    return str(bounds[len(bounds) // 2])


async def test_a_title_search_for_a_rare_word_uses_the_trigram_index(
    catalogue: AsyncEngine, reads: Reads,
) -> None:
    queries = SqlBookQueries(reads)

    sent = await sent_by(reads, lambda: queries.books(
        title="zephyrine", isbn=None, after=None, limit=20))

    found = await queries.books(title="zephyrine", isbn=None, after=None, limit=20)
    assert [book.title for book in found.items] == ["The Zephyrine Tales"]
    [page] = sent  # a walk of a few thousand rows came back short: the index answered
    for plan in await plans(catalogue, *page):
        assert "ix_books_title_key_trgm" in plan, plan
        assert_the_page_alone_is_joined(plan, "book_authors")


async def test_a_rare_term_the_planner_takes_for_common_uses_the_trigram_index_too(
    catalogue: AsyncEngine, reads: Reads,
) -> None:
    title = await sampled_title(catalogue)  # "the moon of stone 4321"
    term = title.split(" ", 3)[3]  # "stone 4321": in that title, and a few more at most
    queries = SqlBookQueries(reads)

    sent = await sent_by(reads, lambda: queries.books(
        title=term, isbn=None, after=None, limit=20))

    assert title in [book.title.casefold() for book in
                     (await queries.books(title=term, isbn=None, after=None, limit=20)).items]
    [page] = sent
    for plan in await plans(catalogue, *page):
        assert "ix_books_title_key_trgm" in plan, plan
        # The walk's own, bounded: the index pass does not walk the primary key too.
        assert plan.count("Index Scan using pk_books") == 1, plan


async def test_a_name_search_for_a_rare_word_uses_both_trigram_indexes(
    catalogue: AsyncEngine, reads: Reads,
) -> None:
    queries = SqlAuthorQueries(reads)
    for rare in ["quokka", "lindqvist"]:
        found = await queries.authors(name=rare, after=None, limit=20)
        assert [a.first_name for a in found.items] == ["Quokka"]

    [page] = await sent_by(reads, lambda: queries.authors(
        name="quokka", after=None, limit=20))

    for plan in await plans(catalogue, *page):
        assert "ix_authors_first_name_key_trgm" in plan, plan
        assert "ix_authors_last_name_key_trgm" in plan, plan
        assert_the_page_alone_is_joined(plan, "author_books")


async def test_only_the_pass_that_answers_is_run(catalogue: AsyncEngine, reads: Reads) -> None:
    """One statement holds both passes; PostgreSQL runs the index pass only when the walk
    came back short, and reads the walk's rows only when it did not."""
    queries = SqlBookQueries(reads)
    common = await sent_by(reads, lambda: queries.books(title="river", isbn=None, after=None,
                                                        limit=20))
    rare = await sent_by(reads, lambda: queries.books(title="zephyrine", isbn=None, after=None,
                                                      limit=20))
    assert len(common) == len(rare) == 1

    walked = await analysed(catalogue, *common[0])
    assert "Bitmap Index Scan on ix_books_title_key_trgm (never executed)" in walked, walked
    through_index = await analysed(catalogue, *rare[0])
    assert "ix_books_title_key_trgm (actual" in through_index, through_index
    assert "CTE Scan on walked (never executed)" in through_index, through_index


async def test_the_walk_is_as_long_as_the_table_makes_it_worth(
    catalogue: AsyncEngine, reads: Reads,
) -> None:
    """2 * sqrt(page * rows) rows, from the planner's count of the rows: among 20 000 books a
    page of 20 (and one more) walks 1 296, not the 4 200 a million books would."""
    [rare] = await sent_by(reads, lambda: SqlBookQueries(reads).books(
        title="zephyrine", isbn=None, after=None, limit=20))

    walked = re.findall(r"Index Scan using pk_books on books \w+ \(actual rows=(\d+)",
                        await analysed(catalogue, *rare))

    assert walked == [str(round(2 * math.sqrt(21 * ROWS)))]


async def analysed(engine: AsyncEngine, statement: str, parameters: tuple[Any, ...]) -> str:
    async with engine.connect() as connection:
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        rows = await driver.fetch(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {statement}",
                                  *parameters)
    return "\n".join(row[0] for row in rows)


def assert_the_page_alone_is_joined(plan: str, children: str) -> None:
    """The page's rows, a few at most, are joined to their children through the children's
    key, not by reading every child row."""
    assert f"Seq Scan on {children}" not in plan, plan
