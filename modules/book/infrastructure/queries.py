"""Book views, each answered by one SQL statement joining the authors' names."""

import functools
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, bindparam, select

from modules.book.application.read_models import BookDTO
from modules.shared_kernel.application.pages import Slice
from modules.shared_kernel.domain.snowflake import decode
from persistence.reads import Reads, Rows
from persistence.search_keys import contains_term, like_term
from persistence.search_pages import AFTER, SIZE, TERM, SearchStatements, search_page
from persistence.tables import authors, book_authors, books

_credited = book_authors.join(authors, authors.c.id == book_authors.c.author_id)


def _with_authors(book_rows: Any) -> Select[Any]:
    """`book_rows` (a table or subquery of books) joined to its authors in credit order."""
    return (
        select(
            book_rows.c.id, book_rows.c.title, book_rows.c.isbn, book_rows.c.pages,
            book_rows.c.price_amount, book_rows.c.price_currency, book_rows.c.publication_year,
            book_rows.c.version,
            authors.c.id.label("author_id"), authors.c.first_name, authors.c.last_name,
        )
        .select_from(book_rows.outerjoin(_credited, book_authors.c.book_id == book_rows.c.id))
        .order_by(book_rows.c.id, book_authors.c.position)
    )


# Every statement is built once, with parameters: each is compiled once (see persistence/reads).
_ONE_BOOK = _with_authors(books).where(books.c.id == bindparam("book_id"))
_SEARCH = SearchStatements.over(books, lambda rows: contains_term(rows.c.title_key, TERM),
                                lambda page: _with_authors(page))


@functools.cache
def _listing(*, after: bool, isbn: bool, title: bool) -> Select[Any]:
    """A page of books in id order; by ISBN (one book at most, through its index), within
    it by title, from after an id."""
    page = select(books).order_by(books.c.id).limit(SIZE)
    if isbn:
        page = page.where(books.c.isbn == bindparam("isbn"))
        if title:
            page = page.where(contains_term(books.c.title_key, TERM))
    if after:
        page = page.where(books.c.id > AFTER)
    return _with_authors(page.subquery("page"))


def _books_from_rows(rows: Rows) -> list[BookDTO]:
    found: dict[int, dict[str, Any]] = {}
    for row in rows:
        book_id = row["id"]
        book = found.get(book_id)
        if book is None:
            book = found[book_id] = {
                "id": book_id, "version": row["version"],
                "created_at": decode(book_id).created_at, "title": row["title"],
                "isbn": row["isbn"], "pages": row["pages"],
                "price": {"amount": row["price_amount"], "currency": row["price_currency"]},
                "publication_year": row["publication_year"], "authors": [],
            }
        if row["author_id"] is not None:
            book["authors"].append({"id": row["author_id"], "first_name": row["first_name"],
                                    "last_name": row["last_name"]})
    # Validated by pydantic's core, in one call for the book and what it holds: twice as fast
    # here as model_construct, which skips validation but builds each model in Python.
    return [BookDTO.model_validate(book) for book in found.values()]


class SqlBookQueries:
    def __init__(self, reads: Reads) -> None:
        self._reads = reads

    async def book(self, book_id: int) -> BookDTO | None:
        found = await self._books(_ONE_BOOK, {"book_id": book_id})
        return found[0] if found else None

    async def books(
        self, *, title: str | None, isbn: str | None, after: int | None, limit: int
    ) -> Slice[BookDTO]:
        if title and not isbn:
            found = await search_page(self._books, _SEARCH, title, after=after, size=limit + 1)
        else:
            statement = _listing(after=after is not None, isbn=bool(isbn), title=bool(title))
            found = await self._books(statement, {
                "isbn": isbn, "term": like_term(title) if title else None, "after": after,
                "size": limit + 1})
        return Slice(items=found[:limit], more=len(found) > limit)

    async def _books(self, statement: Select[Any], parameters: Mapping[str, Any]
                     ) -> list[BookDTO]:
        return _books_from_rows(await self._reads.rows(statement, parameters))
