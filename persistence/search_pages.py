"""A page of the rows whose search key holds a term, in id order: one statement, which does
not depend on a guess of how common the term is.

The fast way to such a page depends on that: a common term is found by walking the primary
key in id order until the page is full (21 rows of "river" are among the first 500 of a
million books), a rare one through the key's trigram index. One `ORDER BY id LIMIT n`
statement leaves the choice to PostgreSQL, which estimates a term's frequency from about a
hundred sampled titles. A rare term that happens to be in one of them is taken for 1 % of
the books, so the planner walks, and reads every row before it knows the page is short:
0.35-1.5 s at 10^6 books, for the terms of the ~100 titles each ANALYZE samples. A generic
plan, cached for a prepared statement after five runs, walks for every term.

So the walk is bounded instead, and the index is used when the walk comes back short:
1. the matches among the next rows in id order, as many as `walk_window` says: at most
   WALK_PER_ROW per row of the page, which fills the page for any term in more than
   1/WALK_PER_ROW of the rows (spread over the ids), at a bounded cost;
2. otherwise the matches through the index, sorted by `id + 0`: an expression no index is
   ordered by, so the planner cannot walk the primary key again.
Both are one statement: the walk is a CTE, and each pass is gated by how many rows the walk
found, a condition PostgreSQL evaluates once (a one-time filter), so the index pass runs only
when the walk came back short, and never when it did not. (Two statements, the second sent
only when needed, cost a rare term a second round trip: it was searched at a quarter of the
baseline's rate.) On SQLite both passes read the rows (no index serves LIKE '%term%').

The statement takes the term, the page size and the id to start after as parameters, so it
is built (and compiled) once, not per request.
"""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    CompoundSelect,
    FromClause,
    Integer,
    Select,
    String,
    Table,
    bindparam,
    func,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from persistence.search_keys import like_term

WALK_PER_ROW = 200  # measured at 10^6 books: 4 200 rows walked cost about a millisecond

TERM = bindparam("term", type_=String)
AFTER = bindparam("after", type_=BigInteger)
SIZE = bindparam("size", type_=Integer)
WINDOW = bindparam("window", type_=Integer)

Row = TypeVar("Row")
Matching = Callable[[FromClause], ColumnElement[bool]]  # given the rows, TERM in their key
Shown = Callable[[FromClause], Select[Any]]  # given a page of rows, the statement sent


@dataclass(frozen=True)
class SearchStatements:
    """A search page's statement, from the first row and after a given id."""

    first: Select[Any]
    after: Select[Any]

    @classmethod
    def over(cls, table: Table, matching: Matching, shown: Shown) -> "SearchStatements":
        return cls(shown(walk_or_index(table, matching, after=False).subquery("page")),
                   shown(walk_or_index(table, matching, after=True).subquery("page")))


async def search_page(
    fetch: Callable[[Select[Any], Mapping[str, Any]], Awaitable[list[Row]]],
    statements: SearchStatements, term: str, *, after: int | None, size: int,
) -> list[Row]:
    """The first `size` rows after `after` whose key holds `term`, as `fetch` reads them."""
    parameters = {"term": like_term(term), "after": after, "size": size,
                  "window": size * WALK_PER_ROW}
    return await fetch(statements.first if after is None else statements.after, parameters)


def walk_or_index(table: Table, matching: Matching, *, after: bool) -> CompoundSelect:
    """The walk's rows when they fill the page, else the index's."""
    walked = walking(table, matching, after=after).cte("walked")
    found = select(func.count()).select_from(walked).scalar_subquery()
    indexed = through_index(table, matching, after=after).subquery("indexed")
    return union_all(select(walked).where(found == SIZE),
                     select(indexed).where(found < SIZE))


class walk_window(FunctionElement[int]):  # lower case: it reads as an SQL function
    """How many rows the walk reads: WINDOW (WALK_PER_ROW per row of the page), or on
    PostgreSQL fewer in a smaller table: 2 * sqrt(SIZE * rows), from the planner's count.

    A walk that comes back short has cost its rows for nothing, and the index pass then
    reads and sorts every match. The longer the walk, the rarer the terms that get past it,
    and the fewer their matches. An index pass costs 3 to 4 times a walked row per match
    (measured here at 10^4 books: 0.6 us a walked row, 2 us a match), so a walk of
    sqrt(4 * SIZE * rows) rows makes the worst term pay about as much for each. At 10^6
    books that is more than WINDOW, so there the walk stays as measured; at 10^4 it is about
    900 rows, where the 4 200 walked before were most of a rare term's search (3.0 ms of
    PostgreSQL's time; 1.0 ms with a 1 000-row walk)."""

    type = Integer()
    inherit_cache = True


@compiles(walk_window)
def _whole_window(element: walk_window, compiler: Any, **kw: Any) -> str:
    # No index serves `LIKE '%term%'` on SQLite: both passes read the rows anyway.
    window, _size, _table = element.clauses
    return str(compiler.process(window, **kw))


@compiles(walk_window, "postgresql")
def _window_for_rows(element: walk_window, compiler: Any, **kw: Any) -> str:
    window, size, table = (compiler.process(clause, **kw) for clause in element.clauses)
    # reltuples is -1 until the table is first analysed: the whole window then.
    return (f"(SELECT CASE WHEN c.reltuples < 0 THEN {window} ELSE LEAST({window}, "
            f"GREATEST({size}, CAST(2 * sqrt({size} * c.reltuples) AS INTEGER))) END "
            f"FROM pg_class AS c WHERE c.oid = CAST({table} AS regclass))")


def walking(table: Table, matching: Matching, *, after: bool) -> Select[Any]:
    rows_walked = walk_window(WINDOW, SIZE, literal_column(f"'{table.name}'"))
    window = select(table).order_by(table.c.id).limit(rows_walked)
    if after:
        window = window.where(table.c.id > AFTER)
    rows = window.subquery("walked")
    return select(rows).where(matching(rows)).order_by(rows.c.id).limit(SIZE)


def through_index(table: Table, matching: Matching, *, after: bool) -> Select[Any]:
    page = select(table).where(matching(table))
    if after:
        page = page.where(table.c.id > AFTER)
    return page.order_by(table.c.id + literal_column("0")).limit(SIZE)
