"""Book views, each answered by one SQL statement joining the authors' names."""

from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine

from modules.book.application.read_models import BookAuthorDTO, BookDTO, PriceDTO
from modules.shared_kernel.application.pages import Slice
from modules.shared_kernel.domain.snowflake import decode
from persistence.database import reading
from persistence.search_keys import contains_term
from persistence.search_pages import search_page
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


# Built once: SQLAlchemy then finds the compiled form in its cache without recomputing keys.
_ONE_BOOK = _with_authors(books).where(books.c.id == bindparam("book_id"))


def _books_from_rows(rows: Any) -> list[BookDTO]:
    found: dict[int, dict[str, Any]] = {}
    for row in rows:
        book = found.get(row.id)
        if book is None:
            book = found[row.id] = {
                "id": row.id, "version": row.version,
                "created_at": decode(row.id).created_at, "title": row.title,
                "isbn": row.isbn, "pages": row.pages,
                "price": {"amount": row.price_amount, "currency": row.price_currency},
                "publication_year": row.publication_year, "authors": [],
            }
        if row.author_id is not None:
            book["authors"].append(
                {"id": row.author_id, "first_name": row.first_name, "last_name": row.last_name}
            )
    return [_book(book) for book in found.values()]


def _book(fields: dict[str, Any]) -> BookDTO:
    # Rows from our own tables are valid by construction: build the models without
    # validating them again (pydantic's model_construct).
    fields["price"] = PriceDTO.model_construct(**fields["price"])
    fields["authors"] = [BookAuthorDTO.model_construct(**a) for a in fields["authors"]]
    return BookDTO.model_construct(**fields)


class SqlBookQueries:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = reading(engine)

    async def book(self, book_id: int) -> BookDTO | None:
        async with self._engine.connect() as connection:
            rows = (await connection.execute(_ONE_BOOK, {"book_id": book_id})).all()
        found = _books_from_rows(rows)
        return found[0] if found else None

    async def books(
        self, *, title: str | None, isbn: str | None, after: int | None, limit: int
    ) -> Slice[BookDTO]:
        if title and not isbn:
            found = await search_page(
                self._page, books, lambda rows: contains_term(rows.c.title_key, title),
                after=after, size=limit + 1)
        else:
            page = select(books).order_by(books.c.id).limit(limit + 1)
            if isbn:  # one book at most, found through the ISBN's index
                page = page.where(books.c.isbn == isbn)
                if title:
                    page = page.where(contains_term(books.c.title_key, title))
            if after is not None:
                page = page.where(books.c.id > after)
            found = await self._page(page)
        return Slice(items=found[:limit], more=len(found) > limit)

    async def _page(self, page: Select[Any]) -> list[BookDTO]:
        """The books `page` selects, joined to their authors: one statement."""
        async with self._engine.connect() as connection:
            rows = (await connection.execute(_with_authors(page.subquery("page")))).all()
        return _books_from_rows(rows)
