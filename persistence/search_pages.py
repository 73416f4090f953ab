"""A page of the rows whose search key holds a term, in id order: at most two statements,
neither of which depends on a guess of how common the term is.

The fast way to such a page depends on that: a common term is found by walking the primary
key in id order until the page is full (21 rows of "river" are among the first 500 of a
million books), a rare one through the key's trigram index. One `ORDER BY id LIMIT n`
statement leaves the choice to PostgreSQL, which estimates a term's frequency from about a
hundred sampled titles. A rare term that happens to be in one of them is taken for 1 % of
the books, so the planner walks, and reads every row before it knows the page is short:
0.35-1.5 s at 10^6 books, for the terms of the ~100 titles each ANALYZE samples. A generic
plan, cached for a prepared statement after five runs, walks for every term.

So the walk is bounded instead, and the index is used when the walk comes back short:
1. the matches among the next WALK_PER_ROW rows per row of the page, in id order: fills the
   page for any term in more than 1/WALK_PER_ROW of the rows (spread over the ids), at a
   bounded cost;
2. otherwise the matches through the index, sorted by `id + 0`: an expression no index is
   ordered by, so the planner cannot walk the primary key again.
On SQLite both passes read the rows (no index serves LIKE '%term%'), as one statement did.
"""

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, FromClause, Select, Table, literal_column, select

WALK_PER_ROW = 200  # measured at 10^6 books: 4 200 rows walked cost about a millisecond

Row = TypeVar("Row")
Matching = Callable[[FromClause], ColumnElement[bool]]


async def search_page(
    fetch: Callable[[Select[Any]], Awaitable[list[Row]]], table: Table, matching: Matching,
    *, after: int | None, size: int,
) -> list[Row]:
    """The first `size` rows after `after` for which `matching` holds, as `fetch` reads
    them from a page statement; the rows must have an `id`."""
    found = await fetch(walking(table, matching, after=after, size=size))
    if len(found) == size:
        return found
    return await fetch(through_index(table, matching, after=after, size=size))


def walking(table: Table, matching: Matching, *, after: int | None, size: int) -> Select[Any]:
    window = select(table).order_by(table.c.id).limit(size * WALK_PER_ROW)
    if after is not None:
        window = window.where(table.c.id > after)
    rows = window.subquery("walked")
    return select(rows).where(matching(rows)).order_by(rows.c.id).limit(size)


def through_index(table: Table, matching: Matching, *, after: int | None,
                  size: int) -> Select[Any]:
    page = select(table).where(matching(table))
    if after is not None:
        page = page.where(table.c.id > after)
    return page.order_by(table.c.id + literal_column("0")).limit(size)
