"""Author views, each answered by one SQL statement joining the titles of their books."""

from typing import Any

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from modules.author.application.read_models import AuthorBookDTO, AuthorDTO
from modules.shared_kernel.application.pages import Slice
from modules.shared_kernel.domain.snowflake import decode
from persistence.database import reading
from persistence.search_keys import contains_term
from persistence.search_pages import search_page
from persistence.tables import author_books, authors, books

# Inner join inside the outer one: a book deleted a moment ago (its event not yet applied)
# is not shown as a title-less entry. Rows of books no longer credited are the author's
# memory of them (see the Author aggregate), not books of theirs.
_written = author_books.join(
    books, (books.c.id == author_books.c.book_id) & author_books.c.credited)


def _with_books(author_rows: Any) -> Select[Any]:
    return (
        select(
            author_rows.c.id, author_rows.c.first_name, author_rows.c.last_name,
            author_rows.c.biography, author_rows.c.version, books.c.id.label("book_id"),
            books.c.title,
        )
        .select_from(author_rows.outerjoin(_written, author_books.c.author_id == author_rows.c.id))
        .order_by(author_rows.c.id, books.c.id)
    )


_ONE_AUTHOR = _with_books(authors).where(authors.c.id == bindparam("author_id"))


def _authors_from_rows(rows: Any) -> list[AuthorDTO]:
    found: dict[int, dict[str, Any]] = {}
    for row in rows:
        author = found.get(row.id)
        if author is None:
            author = found[row.id] = {
                "id": row.id, "version": row.version, "created_at": decode(row.id).created_at,
                "first_name": row.first_name, "last_name": row.last_name,
                "biography": row.biography, "books": [],
            }
        if row.book_id is not None:
            author["books"].append({"id": row.book_id, "title": row.title})
    return [_author(author) for author in found.values()]


def _author(fields: dict[str, Any]) -> AuthorDTO:
    # Rows from our own tables are valid by construction (see the book queries).
    fields["books"] = [AuthorBookDTO.model_construct(**b) for b in fields["books"]]
    return AuthorDTO.model_construct(**fields)


class SqlAuthorQueries:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = reading(engine)

    async def author(self, author_id: int) -> AuthorDTO | None:
        async with self._engine.connect() as connection:
            rows = (await connection.execute(_ONE_AUTHOR, {"author_id": author_id})).all()
        found = _authors_from_rows(rows)
        return found[0] if found else None

    async def authors(
        self, *, name: str | None, after: int | None, limit: int
    ) -> Slice[AuthorDTO]:
        if name:
            found = await search_page(
                self._page, authors,
                lambda rows: or_(contains_term(rows.c.first_name_key, name),
                                 contains_term(rows.c.last_name_key, name)),
                after=after, size=limit + 1)
        else:
            page = select(authors).order_by(authors.c.id).limit(limit + 1)
            if after is not None:
                page = page.where(authors.c.id > after)
            found = await self._page(page)
        return Slice(items=found[:limit], more=len(found) > limit)

    async def _page(self, page: Select[Any]) -> list[AuthorDTO]:
        """The authors `page` selects, joined to their books: one statement."""
        async with self._engine.connect() as connection:
            rows = (await connection.execute(_with_books(page.subquery("page")))).all()
        return _authors_from_rows(rows)
