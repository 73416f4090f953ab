"""The baseline of the benchmark, as issue 12 defines it: Starlette on a raw asyncpg pool,
the same JSON shapes as bookshelf, and only what the API needs.

- each read is one round trip (the title search too, through the same trigram index);
- creating a book is one INSERT (its ISBN's unique key answers a clash);
- a credit is two inserts in one transaction, then the book is read back;
- no outbox, no events, no versions, no ids leased: ids come from a counter.
It validates nothing a well-behaved client would get wrong; bookshelf must.
"""

import datetime
import json as stdlib_json
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

BOOK_COLUMNS = ("b.id, b.title, b.isbn, b.pages, b.price_amount, b.price_currency, "
                "b.publication_year, a.id AS author_id, a.first_name, a.last_name")
WITH_AUTHORS = ("LEFT JOIN (book_authors ba JOIN authors a ON a.id = ba.author_id) "
                "ON ba.book_id = b.id")
ONE_BOOK = f"SELECT {BOOK_COLUMNS} FROM books b {WITH_AUTHORS} WHERE b.id = $1 ORDER BY ba.position"
SEARCH = (f"SELECT {BOOK_COLUMNS} FROM (SELECT * FROM books WHERE title_key LIKE $1 "
          f"ORDER BY id LIMIT $2) b {WITH_AUTHORS} ORDER BY b.id, ba.position")
ONE_AUTHOR = ("SELECT a.id, a.first_name, a.last_name, a.biography, bk.id AS book_id, bk.title "
              "FROM authors a LEFT JOIN (author_books ab JOIN books bk ON bk.id = ab.book_id) "
              "ON ab.author_id = a.id WHERE a.id = $1 ORDER BY bk.id")
ADD_BOOK = ("INSERT INTO books (id, title, title_key, isbn, pages, price_amount, price_currency, "
            "publication_year, version, last_event_sequence) "
            "VALUES ($1, $2::varchar, lower($2::varchar), $3, $4, $5, $6, $7, 1, 0)")
CREDIT_ON_BOOK = ("INSERT INTO book_authors (book_id, author_id, position) SELECT $1, $2, "
                  "COALESCE(MAX(position) + 1, 0) FROM book_authors WHERE book_id = $1 "
                  "ON CONFLICT DO NOTHING")
CREDIT_ON_AUTHOR = ("INSERT INTO author_books (author_id, book_id, credited, book_sequence) "
                    "VALUES ($1, $2, true, 0) ON CONFLICT DO NOTHING")
EPOCH_MS = 1_767_225_600_000  # bookshelf's snowflake epoch, 2026-01-01Z

pool: asyncpg.Pool
_next = int(time.time() * 1000 - EPOCH_MS) << 22  # above the loader's ids


def new_id() -> int:
    global _next
    _next += 1
    return _next


def created_at(snowflake: int) -> str:
    moment = datetime.datetime.fromtimestamp(((snowflake >> 22) + EPOCH_MS) / 1000, datetime.UTC)
    return moment.isoformat().replace("+00:00", "Z")


def json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(body, status, headers)  # Starlette's own: the stdlib's json


def books_from(rows: list[Any]) -> list[dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for r in rows:
        book = found.get(r["id"])
        if book is None:
            book = found[r["id"]] = {
                "id": str(r["id"]), "created_at": created_at(r["id"]), "title": r["title"],
                "isbn": r["isbn"], "pages": r["pages"],
                "price": {"amount": r["price_amount"], "currency": r["price_currency"]},
                "publication_year": r["publication_year"], "authors": []}
        if r["author_id"] is not None:
            book["authors"].append({"id": str(r["author_id"]), "first_name": r["first_name"],
                                    "last_name": r["last_name"]})
    return list(found.values())


async def get_book(request: Request) -> Response:
    rows = await pool.fetch(ONE_BOOK, int(request.path_params["book_id"]))
    return json(books_from(rows)[0]) if rows else json({"status": 404}, 404)


async def search_books(request: Request) -> Response:
    term = request.query_params.get("title", "").lower()
    size = int(request.query_params.get("limit", 20))
    found = books_from(await pool.fetch(SEARCH, f"%{term}%", size + 1))
    return json({"items": found[:size], "next": None})


async def add_book(request: Request) -> Response:
    body = stdlib_json.loads(await request.body())
    book_id, title, price = new_id(), body["title"].strip(), body["price"]
    book = {"id": str(book_id), "created_at": created_at(book_id), "title": title,
            "isbn": body["isbn"], "pages": body["pages"],
            "price": {"amount": price["amount"], "currency": price.get("currency", "KRW")},
            "publication_year": body["publication_year"], "authors": []}
    try:
        await pool.execute(ADD_BOOK, book_id, title, body["isbn"], body["pages"],
                           price["amount"], book["price"]["currency"], body["publication_year"])
    except asyncpg.UniqueViolationError:
        return json({"status": 409}, 409)
    return json(book, 201, {"Location": f"/books/{book_id}"})


async def add_author_to_book(request: Request) -> Response:
    book_id, author_id = int(request.path_params["book_id"]), int(request.path_params["author_id"])
    async with pool.acquire() as connection:
        try:
            async with connection.transaction():
                await connection.execute(CREDIT_ON_BOOK, book_id, author_id)
                await connection.execute(CREDIT_ON_AUTHOR, author_id, book_id)
        except asyncpg.ForeignKeyViolationError:
            return json({"status": 404}, 404)
        rows = await connection.fetch(ONE_BOOK, book_id)
    return json(books_from(rows)[0])


async def get_author(request: Request) -> Response:
    rows = await pool.fetch(ONE_AUTHOR, int(request.path_params["author_id"]))
    if not rows:
        return json({"status": 404}, 404)
    first = rows[0]
    return json({
        "id": str(first["id"]), "created_at": created_at(first["id"]),
        "first_name": first["first_name"], "last_name": first["last_name"],
        "biography": first["biography"],
        "books": [{"id": str(r["book_id"]), "title": r["title"]} for r in rows if r["book_id"]]})


@asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    global pool
    dsn = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://")
    pool = await asyncpg.create_pool(dsn, min_size=10, max_size=10)
    yield
    await pool.close()


app = Starlette(lifespan=lifespan, routes=[
    Route("/books/{book_id:int}", get_book),
    Route("/books", search_books),
    Route("/books", add_book, methods=["POST"]),
    Route("/books/{book_id:int}/authors/{author_id:int}", add_author_to_book, methods=["PUT"]),
    Route("/authors/{author_id:int}", get_author),
])
