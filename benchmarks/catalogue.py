"""The catalogue the benchmarks load: books and authors written straight into a freshly
migrated database (COPY, the trigram indexes built afterwards, as a restore would), and the
fresh credits each server and round is given.

Needs PostgreSQL (BENCH_DATABASE_URL, default postgresql+asyncpg://postgres@127.0.0.1/
bookshelf_bench). Each benchmark drops and recreates a database of its own, named after it
(bookshelf_bench_run, bookshelf_bench_cpu, ...).
"""

import argparse
import asyncio
import math
import os
import random

import asyncpg

from modules.shared_kernel.domain.snowflake import SnowflakeGenerator
from persistence.database import create_engine
from persistence.migrations import upgrade_to_head
from persistence.search_keys import search_key

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1/bookshelf_bench"
WORDS = ("river mountain silent winter garden house letter night city child stone song sea "
         "light shadow forest road dream fire glass paper bird island moon window bridge "
         "mirror summer voice ocean empire memory harbor story clock secret desert storm "
         "orchard lantern valley kingdom meadow thread ember velvet compass crown").split()

# The credits are made on books and authors of their own, which no read asks for, so the
# reads of later rounds meet the catalogue as it was loaded. Enough for CREDIT_RATE credits a
# second for the whole run of each round (24 a book ran out under a fast baseline).
CREDITS_PER_BOOK = 24
CREDIT_RATE = 8000
CREDIT_AUTHORS = 100


def database_url(benchmark: str) -> str:
    """The database `benchmark` drops and recreates: its own. Shared, a benchmark started
    while another ran dropped the other's database under its servers (WITH (FORCE)), and
    every request of the other's run failed from then on."""
    return f"{os.environ.get('BENCH_DATABASE_URL', DEFAULT_URL)}_{benchmark}"


def plain_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def isbn13(n: int, prefix: str = "978") -> str:
    first12 = f"{prefix}{n:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


async def recreate(url: str) -> None:
    dsn = plain_dsn(url)
    name = dsn.rsplit("/", 1)[1]
    admin = await asyncpg.connect(dsn.rsplit("/", 1)[0] + "/postgres")
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    engine = create_engine(url)
    await upgrade_to_head(engine)
    await engine.dispose()


async def load(url: str, books: int, authors: int, *, uncredited: int = 0,
               unread_authors: int = 0) -> tuple[list[int], list[int], list[str]]:
    """`authors` authors and `books` books, book i credited with author i % (authors -
    unread_authors), but for the last `uncredited` books, which credit no one."""
    make_id, rng = SnowflakeGenerator(1023), random.Random(7)
    all_titles: list[str] = []
    author_ids = [make_id() for _ in range(authors)]
    book_ids = [make_id() for _ in range(books)]
    connection = await asyncpg.connect(plain_dsn(url))
    # As a restore would: the trigram indexes are built once the rows are in, not a row at a
    # time (they are made with fastupdate off, which makes bulk loading slow).
    trigram_indexes = [row[0] for row in await connection.fetch(
        "SELECT indexdef FROM pg_indexes WHERE indexname LIKE '%\\_trgm'")]
    for definition in trigram_indexes:  # "CREATE INDEX <name> ON ..."
        await connection.execute(f"DROP INDEX {definition.split()[2]}")
    names = [(rng.choice(WORDS).title(), rng.choice(WORDS).title()) for _ in author_ids]
    await connection.copy_records_to_table("authors", columns=(
        "id", "first_name", "last_name", "first_name_key", "last_name_key", "biography",
        "version"), records=[(a, first, last, search_key(first), search_key(last), None, 1)
                             for a, (first, last) in zip(author_ids, names, strict=True)])
    for start in range(0, books, 100_000):
        chunk = range(start, min(books, start + 100_000))
        titles = [f"The {rng.choice(WORDS)} of {rng.choice(WORDS)} {i}" for i in chunk]
        all_titles += titles
        await connection.copy_records_to_table("books", columns=(
            "id", "title", "title_key", "isbn", "pages", "price_amount", "price_currency",
            "publication_year", "version"), records=[
            (book_ids[i], title, search_key(title), isbn13(i), 200, 15000, "KRW", 2000, 1)
            for i, title in zip(chunk, titles, strict=True)])
        credited = [i for i in chunk if i < books - uncredited]
        await connection.copy_records_to_table("book_authors", columns=(
            "book_id", "author_id", "position"), records=[
            (book_ids[i], author_ids[i % (authors - unread_authors)], 0) for i in credited])
        await connection.copy_records_to_table("author_books", columns=(
            "author_id", "book_id"), records=[
            (author_ids[i % (authors - unread_authors)], book_ids[i]) for i in credited])
    for definition in trigram_indexes:
        await connection.execute(definition)
    await connection.execute("ANALYZE")
    await connection.close()
    return book_ids, author_ids, all_titles


def books_for_credits(args: argparse.Namespace) -> int:
    """Enough for CREDIT_RATE credits a second, two servers, every round and the warm-up."""
    return 2 * (args.rounds + 1) * math.ceil(CREDIT_RATE * args.duration / CREDITS_PER_BOOK)


def load_with_credits(url: str, books: int, authors: int, names: tuple[str, str],
                      args: argparse.Namespace
                      ) -> tuple[list[int], list[int], list[str], dict[tuple[str, int], list[str]]]:
    """`books` books and `authors` authors to read (with the books' titles), and the fresh
    credits of each server and round (fresh_credits), made on books and authors loaded
    beside them for the credits alone."""
    credit_books = books_for_credits(args)
    every_book, every_author, every_title = asyncio.run(load(
        url, books + credit_books, authors + CREDIT_AUTHORS,
        uncredited=credit_books, unread_authors=CREDIT_AUTHORS))
    fresh = fresh_credits(every_book[books:], every_author[authors:], names, args.rounds)
    return every_book[:books], every_author[:authors], every_title[:books], fresh


def rare_terms(titles: list[str], count: int = 200) -> list[str]:
    """Terms only one title holds ("stone 4321" of "The river of stone 4321"), URL-encoded."""
    step = max(1, len(titles) // count)
    return [" ".join(title.split()[3:]).replace(" ", "%20") for title in titles[::step]]


def fresh_credits(book_ids: list[int], author_ids: list[int], names: tuple[str, str],
                  rounds: int) -> dict[tuple[str, int], list[str]]:
    """Credits no book has yet, each handed out once: the two servers get disjoint books, and
    each round (and the warm-up, round `rounds`) books of its own, up to CREDITS_PER_BOOK
    credits each."""
    half = len(book_ids) // 2
    return {(name, r): [f"{book_ids[i]} {author_ids[(i + 1 + j) % len(author_ids)]}"
                        for j in range(CREDITS_PER_BOOK) for i in books[r::rounds + 1]]
            for name, books in ((names[0], range(half)), (names[1], range(half, len(book_ids))))
            for r in range(rounds + 1)}
