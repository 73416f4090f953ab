"""The baseline: bookshelf's operations as hand-written SQL on a raw asyncpg pool.

No ORM, no DI, no validation library; the same tables and, for each operation, the same
statements bookshelf sends (read from its SQL log). The benchmark compares bookshelf with it.
"""

import json
import os
import time
import unicodedata
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

BOOK_COLUMNS = ("b.id, b.title, b.isbn, b.pages, b.price_amount, b.price_currency, "
                "b.publication_year, b.version, a.id AS author_id, a.first_name, a.last_name")
BOOK_WITH_AUTHORS = (f"SELECT {BOOK_COLUMNS} FROM books b LEFT JOIN (book_authors ba JOIN authors a "
                     "ON a.id = ba.author_id) ON ba.book_id = b.id WHERE b.id = $1 ORDER BY ba.position")
# A search page as bookshelf finds it (persistence/search_pages.py): a walk of 200 rows per
# row of the page in id order, then, if that came back short, the trigram index.
PAGE_OF = (f"SELECT {BOOK_COLUMNS} FROM ({{page}}) b LEFT JOIN (book_authors ba JOIN authors a "
           "ON a.id = ba.author_id) ON ba.book_id = b.id ORDER BY b.id, ba.position")
SEARCH_WALK = PAGE_OF.format(page="SELECT * FROM (SELECT * FROM books ORDER BY id LIMIT $3) w "
                                  "WHERE title_key LIKE '%' || $1 || '%' ESCAPE '/' ORDER BY id LIMIT $2")
SEARCH_INDEX = PAGE_OF.format(page="SELECT * FROM books WHERE title_key LIKE '%' || $1 || '%' "
                                   "ESCAPE '/' ORDER BY id + 0 LIMIT $2")
AUTHOR_WITH_BOOKS = ("SELECT a.id, a.first_name, a.last_name, a.biography, a.version, bk.id AS book_id, "
                     "bk.title FROM authors a LEFT JOIN (author_books ab JOIN books bk ON bk.id = "
                     "ab.book_id) ON ab.author_id = a.id WHERE a.id = $1 ORDER BY bk.id")
NOW_MS = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)"
CLAIM_NEXT = (f"UPDATE event_publications SET attempts = attempts + 1, next_attempt_at_ms = {NOW_MS} "
              "+ 30000 WHERE id = (SELECT id FROM event_publications WHERE aggregate_id = $1 AND "
              "subscriber = $2 AND completed_at_ms IS NULL AND failed_at_ms IS NULL ORDER BY id "
              f"LIMIT 1) AND (attempts = 0 OR next_attempt_at_ms <= {NOW_MS}) RETURNING *")

pool: asyncpg.Pool
_next = int(time.time() * 1000) << 22  # ids above the loader's, below nothing that matters


def search_key(text: str) -> str:
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())


def like_escaped(term: str) -> str:
    return search_key(term).replace("/", "//").replace("%", "/%").replace("_", "/_")


def new_id() -> int:
    global _next
    _next += 1
    return _next


def books_from(rows: list[Any]) -> list[dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for r in rows:
        book = found.get(r["id"])
        if book is None:
            book = found[r["id"]] = {
                "id": str(r["id"]), "title": r["title"], "isbn": r["isbn"], "pages": r["pages"],
                "price": {"amount": r["price_amount"], "currency": r["price_currency"]},
                "publication_year": r["publication_year"], "authors": []}
        if r["author_id"] is not None:
            book["authors"].append({"id": str(r["author_id"]), "first_name": r["first_name"],
                                    "last_name": r["last_name"]})
    return list(found.values())


async def get_book(request: Request) -> Response:
    rows = await pool.fetch(BOOK_WITH_AUTHORS, int(request.path_params["book_id"]))
    return JSONResponse(books_from(rows)[0]) if rows else JSONResponse({}, status_code=404)


async def search_books(request: Request) -> Response:
    term, size = like_escaped(request.query_params.get("title", "")), int(request.query_params.get("limit", 20)) + 1
    found = books_from(await pool.fetch(SEARCH_WALK, term, size, size * 200))
    if len(found) < size:
        found = books_from(await pool.fetch(SEARCH_INDEX, term, size))
    return JSONResponse({"items": found[:size - 1], "next": None})


async def add_book(request: Request) -> Response:
    body = json.loads(await request.body())
    book_id = new_id()
    async with pool.acquire() as connection:
        async with connection.transaction():
            if await connection.fetchval("SELECT EXISTS (SELECT 1 FROM books WHERE isbn = $1)",
                                         body["isbn"]):
                return JSONResponse({"status": 409}, status_code=409)
            await connection.execute(
                "INSERT INTO books (id, title, title_key, isbn, pages, price_amount, price_currency, "
                "publication_year, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1)",
                book_id, body["title"].strip(), search_key(body["title"].strip()), body["isbn"], body["pages"],
                body["price"]["amount"], body["price"].get("currency", "KRW"),
                body["publication_year"])
        rows = await connection.fetch(BOOK_WITH_AUTHORS, book_id)
    return JSONResponse(books_from(rows)[0], status_code=201,
                        headers={"Location": f"/books/{book_id}"})


async def add_author_to_book(request: Request) -> Response:
    book_id, author_id = int(request.path_params["book_id"]), int(request.path_params["author_id"])
    if not await pool.fetchval("SELECT id FROM authors WHERE id = $1", author_id):
        return JSONResponse({"status": 404}, status_code=404)
    async with pool.acquire() as connection:
        async with connection.transaction():  # the Book side and its outbox entry
            book = await connection.fetchrow("SELECT * FROM books WHERE id = $1 FOR UPDATE", book_id)
            credits = await connection.fetch(
                "SELECT author_id, position FROM book_authors WHERE book_id = $1", book_id)
            if author_id not in {c["author_id"] for c in credits}:
                await connection.execute("UPDATE books SET title = $1, version = $2 "
                                         "WHERE id = $3 AND version = $4", book["title"],
                                         book["version"] + 1, book_id, book["version"])
                await connection.execute("INSERT INTO book_authors (book_id, author_id, position) "
                                         "VALUES ($1, $2, $3)", book_id, author_id, len(credits))
                await connection.execute(
                    "INSERT INTO event_publications (event_type, schema_version, payload, "
                    "aggregate_id, subscriber, listener, created_at_ms, attempts, "
                    f"next_attempt_at_ms) VALUES ('AuthorAddedToBook', 2, $1, $2, 'author', "
                    f"'author.credit_book', {NOW_MS}, 0, {NOW_MS} + 30000)",
                    json.dumps({"book_id": book_id, "author_id": author_id, "sequence": 1}),
                    book_id)
        async with connection.transaction():
            claimed = await connection.fetchrow(CLAIM_NEXT, book_id, "author")
        if claimed is not None:
            async with connection.transaction():  # the Author side, completing the entry
                author = await connection.fetchrow(
                    "SELECT * FROM authors WHERE id = $1 FOR UPDATE", author_id)
                await connection.fetch("SELECT book_id FROM author_books WHERE author_id = $1",
                                       author_id)
                await connection.execute("UPDATE authors SET first_name = $1, version = $2 "
                                         "WHERE id = $3 AND version = $4", author["first_name"],
                                         author["version"] + 1, author_id, author["version"])
                await connection.execute("INSERT INTO author_books (author_id, book_id) "
                                         "VALUES ($1, $2) ON CONFLICT DO NOTHING", author_id, book_id)
                await connection.execute(f"UPDATE event_publications SET completed_at_ms = {NOW_MS} "
                                         "WHERE id = $1 AND completed_at_ms IS NULL", claimed["id"])
            async with connection.transaction():
                await connection.fetchrow(CLAIM_NEXT, book_id, "author")
        rows = await connection.fetch(BOOK_WITH_AUTHORS, book_id)
    return JSONResponse(books_from(rows)[0])


async def get_author(request: Request) -> Response:
    rows = await pool.fetch(AUTHOR_WITH_BOOKS, int(request.path_params["author_id"]))
    if not rows:
        return JSONResponse({}, status_code=404)
    first = rows[0]
    return JSONResponse({
        "id": str(first["id"]), "first_name": first["first_name"],
        "last_name": first["last_name"], "biography": first["biography"],
        "books": [{"id": str(r["book_id"]), "title": r["title"]} for r in rows if r["book_id"]]})


@asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    global pool
    dsn = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    pool = await asyncpg.create_pool(dsn, min_size=10, max_size=20)
    yield
    await pool.close()


app = Starlette(lifespan=lifespan, routes=[
    Route("/books/{book_id:int}", get_book),
    Route("/books", search_books),
    Route("/books", add_book, methods=["POST"]),
    Route("/books/{book_id:int}/authors/{author_id:int}", add_author_to_book, methods=["PUT"]),
    Route("/authors/{author_id:int}", get_author),
])
