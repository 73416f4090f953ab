"""A search page: a bounded walk in id order, or the index when the walk comes back short, in
one statement (persistence/search_pages.py). Pages still follow each other without gaps or
repeats. (Which pass answered is read from the plans: test_search_plans.py.)"""

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from modules.book.infrastructure.queries import SqlBookQueries
from persistence.reads import Reads
from persistence.search_keys import search_key
from persistence.search_pages import WALK_PER_ROW
from persistence.tables import books


async def store_books(engine: AsyncEngine, titles: list[str]) -> list[int]:
    ids = list(range(1, len(titles) + 1))
    async with engine.begin() as connection:
        await connection.execute(insert(books), [
            {"id": book_id, "title": title, "title_key": search_key(title),
             "isbn": f"{book_id:013d}", "pages": 1, "price_amount": 1, "price_currency": "KRW",
             "publication_year": 2000, "version": 1}
            for book_id, title in zip(ids, titles, strict=True)])
    return ids


async def test_a_rare_term_past_the_walk_is_found_through_the_index_page_by_page(
    engine: AsyncEngine, reads: Reads, statements: list[str],
) -> None:
    walked = WALK_PER_ROW * 2  # the window of a page of one (and one more, to see if more)
    ids = await store_books(engine, [f"Book {i}" for i in range(walked)]
                            + ["Émile 1", "Book", "Émile 2", "Émile 3"])
    queries, seen, after, sent = SqlBookQueries(reads), [], None, []

    while True:
        statements.clear()
        page = await queries.books(title="ÉMILE", isbn=None, after=after, limit=1)
        sent.append(len([sql for sql in statements if "title_key" in sql]))
        seen += [book.id for book in page.items]
        if not page.more:
            break
        after = page.items[-1].id

    assert seen == [ids[walked], ids[walked + 2], ids[walked + 3]]
    assert set(sent) == {1}  # whether the walk came back short (the first page) or not


async def test_a_common_term_is_found_by_the_walk_alone(
    engine: AsyncEngine, reads: Reads, statements: list[str],
) -> None:
    ids = await store_books(engine, [f"Book {i}" for i in range(10)])
    statements.clear()

    page = await SqlBookQueries(reads).books(title="book", isbn=None, after=None, limit=3)

    assert [book.id for book in page.items] == ids[:3]
    assert page.more
    assert len([sql for sql in statements if "title_key" in sql]) == 1
