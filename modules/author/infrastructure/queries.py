"""Author views, each answered by one SQL statement joining the titles of their books."""

import functools
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, bindparam, or_, select

from modules.author.application.read_models import AuthorDTO
from modules.shared_kernel.application.pages import Slice
from modules.shared_kernel.domain.snowflake import decode
from persistence.reads import Reads, Rows
from persistence.search_keys import contains_term
from persistence.search_pages import AFTER, SIZE, TERM, SearchStatements, search_page
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


# Every statement is built once, with parameters: each is compiled once (see persistence/reads).
_ONE_AUTHOR = _with_books(authors).where(authors.c.id == bindparam("author_id"))
_SEARCH = SearchStatements.over(
    authors, lambda rows: or_(contains_term(rows.c.first_name_key, TERM),
                              contains_term(rows.c.last_name_key, TERM)),
    lambda page: _with_books(page))


@functools.cache
def _listing(*, after: bool) -> Select[Any]:
    page = select(authors).order_by(authors.c.id).limit(SIZE)
    if after:
        page = page.where(authors.c.id > AFTER)
    return _with_books(page.subquery("page"))


def _authors_from_rows(rows: Rows) -> list[AuthorDTO]:
    found: dict[int, dict[str, Any]] = {}
    for row in rows:
        author_id = row["id"]
        author = found.get(author_id)
        if author is None:
            author = found[author_id] = {
                "id": author_id, "version": row["version"],
                "created_at": decode(author_id).created_at, "first_name": row["first_name"],
                "last_name": row["last_name"], "biography": row["biography"], "books": [],
            }
        if row["book_id"] is not None:
            author["books"].append({"id": row["book_id"], "title": row["title"]})
    return [AuthorDTO.model_validate(author) for author in found.values()]  # see the books'


class SqlAuthorQueries:
    def __init__(self, reads: Reads) -> None:
        self._reads = reads

    async def author(self, author_id: int) -> AuthorDTO | None:
        found = await self._authors(_ONE_AUTHOR, {"author_id": author_id})
        return found[0] if found else None

    async def authors(
        self, *, name: str | None, after: int | None, limit: int
    ) -> Slice[AuthorDTO]:
        if name:
            found = await search_page(self._authors, _SEARCH, name, after=after, size=limit + 1)
        else:
            found = await self._authors(_listing(after=after is not None),
                                        {"after": after, "size": limit + 1})
        return Slice(items=found[:limit], more=len(found) > limit)

    async def _authors(self, statement: Select[Any], parameters: Mapping[str, Any]
                       ) -> list[AuthorDTO]:
        return _authors_from_rows(await self._reads.rows(statement, parameters))
