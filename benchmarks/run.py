"""bookshelf against a raw-asyncpg baseline, interleaved in one run, with wrk.

    poetry run python benchmarks/run.py                 # the table (about 3 minutes)
    poetry run python benchmarks/run.py --scale         # title search and deep pages, 10^4 vs 10^6

Needs PostgreSQL (BENCH_DATABASE_URL, default postgresql+asyncpg://postgres@127.0.0.1/
bookshelf_bench; the database is dropped and recreated) and wrk (Debian: apt-get install wrk).
Both servers run one uvicorn worker with uvloop; only one is under load at a time. Timings on a
shared machine are noisy: compare the ratios of one run, not numbers across runs.
"""

import argparse
import asyncio
import math
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from modules.shared_kernel.domain.snowflake import SnowflakeGenerator  # noqa: E402
from persistence.database import create_engine  # noqa: E402
from persistence.migrations import upgrade_to_head  # noqa: E402
from persistence.search_keys import search_key  # noqa: E402

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1/bookshelf_bench"
WRK = ROOT / "benchmarks" / "wrk"
WORDS = ("river mountain silent winter garden house letter night city child stone song sea "
         "light shadow forest road dream fire glass paper bird island moon window bridge "
         "mirror summer voice ocean empire memory harbor story clock secret desert storm "
         "orchard lantern valley kingdom meadow thread ember velvet compass crown").split()


@dataclass
class Result:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int

# The credits are made on books and authors of their own, which no read asks for, so the
# reads of later rounds meet the catalogue as it was loaded. Enough for CREDIT_RATE credits a
# second for the whole run of each round (24 a book ran out under a fast baseline).
CREDITS_PER_BOOK = 24
CREDIT_RATE = 8000
CREDIT_AUTHORS = 100


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app: str, url: str, log: Path,
            settings: dict[str, str] | None = None) -> Iterator[tuple[str, int]]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT), **(settings or {})}
    command = [sys.executable, "-m", "uvicorn", app, "--loop", "uvloop", "--no-access-log",
               "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
        try:
            for _ in range(200):
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.1)
            yield f"http://127.0.0.1:{port}", server.pid
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


def wrk(url: str, script: str, args: list[str], *, seconds: float, connections: int,
        threads: int = 2) -> Result:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{round(seconds)}s", "--latency",
               "-s", str(WRK / script), url, "--", *args]
    out = subprocess.run(command, capture_output=True, text=True, check=True,
                         env={**os.environ, "WRK_DIR": str(WRK)}).stdout

    def latency(label: str) -> float:
        value, unit = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                              r"timeout (\d+)", out)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    errors += sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    return Result(float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
                  latency("50%"), latency("99%"), errors)


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def write_lines(path: Path, lines: list[object]) -> str:
    path.write_text("\n".join(str(line) for line in lines) + "\n")
    return str(path)


def rare_terms(titles: list[str], count: int = 200) -> list[str]:
    """Terms only one title holds ("stone 4321" of "The river of stone 4321"), URL-encoded."""
    step = max(1, len(titles) // count)
    return [" ".join(title.split()[3:]).replace(" ", "%20") for title in titles[::step]]


Operation = tuple[str, str, Callable[[str, int], list[str]]]  # label, wrk script, its args


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


def interleaved(operations: list[Operation], targets: list[tuple[str, str]],
                args: argparse.Namespace) -> dict[tuple[str, str], list[Result]]:
    """Each operation against each target in turn, round after round (the first warmed up)."""
    results: dict[tuple[str, str], list[Result]] = {}
    for r in range(args.rounds):
        for label, script, script_args in operations:
            for name, target in targets:
                if r == 0:  # warm up: caches, prepared statements, the pools
                    wrk(target, script, script_args(name, args.rounds), seconds=2,
                        connections=args.connections)
                result = wrk(target, script, script_args(name, r), seconds=args.duration,
                             connections=args.connections)
                results.setdefault((label, name), []).append(result)
                print(f"  round {r + 1}: {label:34s} {name:9s} "
                      f"{result.requests_per_s:8.0f} req/s  p99 {result.p99_ms:.1f} ms",
                      flush=True)
    return results


def wrk_arguments(parser: argparse.ArgumentParser, work: str) -> None:
    """The database and the load, as every benchmark here takes them."""
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL",
                                                                 DEFAULT_URL))
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", default=work)


def table(args: argparse.Namespace) -> None:
    url, work = args.database_url, Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    asyncio.run(recreate(url))
    rounds = args.rounds
    book_ids, author_ids, titles, fresh = load_with_credits(
        url, args.books, args.authors, ("baseline", "bookshelf"), args)
    isbn_blocks = iter(range(0, 900_000_000, 20_000_000))  # a fresh block for every wrk run
    operations: list[Operation] = [
        ("GET /books/{id}", "get_book.lua", lambda *_: [write_lines(work / "books.txt", book_ids)]),
        ("GET /authors/{id}", "get_author.lua",
         lambda *_: [write_lines(work / "authors.txt", author_ids)]),
        ("GET /books?title= (a rare term)", "search_books.lua",
         lambda *_: [write_lines(work / "rare.txt", rare_terms(titles))]),
        ("GET /books?title= (a common word)", "search_books.lua",
         lambda *_: [write_lines(work / "words.txt", WORDS)]),
        ("POST /books", "add_book.lua", lambda *_: [str(next(isbn_blocks))]),
        ("PUT /books/{id}/authors/{aid}", "add_author_to_book.lua",
         lambda name, r: [write_lines(work / f"pairs-{name}-{r}.txt", fresh[name, r]), "2"]),
    ]
    # A book with no credit for the last author yet, for the count of a credit.
    counts = asyncio.run(statement_counts(url, book_ids[-1], author_ids[500],
                                          rare_terms(titles)[0]))
    with serving("app:app", url, work / "bookshelf.log") as (shelf, shelf_pid), \
            serving("benchmarks.baseline_app:app", url, work / "baseline.log") as (base, base_pid):
        results = interleaved(operations, [("baseline", base), ("bookshelf", shelf)], args)
        rss = {"bookshelf": rss_mb(shelf_pid), "baseline": rss_mb(base_pid)}

    print(f"\n{args.books} books, {args.authors} authors (and {books_for_credits(args)} books, "
          f"{CREDIT_AUTHORS} authors that only the credits use); wrk -t2 -c{args.connections} "
          f"-d{args.duration:g}s, {rounds} interleaved rounds, medians; 1 uvicorn worker each "
          "(uvloop), PostgreSQL on the same machine\n")
    print("| operation | bookshelf req/s | baseline req/s | ratio | p50 ms (b/base) "
          "| p99 ms (b/base) | p99 ratio | errors (b/base) | statements (transactions) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, *_ in operations:
        shelf_result = median_of(results[label, "bookshelf"])
        base_result = median_of(results[label, "baseline"])
        print(f"| {label} | {shelf_result.requests_per_s:.0f} | {base_result.requests_per_s:.0f} | "
              f"{shelf_result.requests_per_s / base_result.requests_per_s:.2f} | "
              f"{shelf_result.p50_ms:.1f} / {base_result.p50_ms:.1f} | "
              f"{shelf_result.p99_ms:.1f} / {base_result.p99_ms:.1f} | "
              f"{shelf_result.p99_ms / base_result.p99_ms:.2f} | "
              f"{shelf_result.errors} / {base_result.errors} | "
              f"{counts[label][0]} ({counts[label][1]}) |")
    print(f"\nRSS after the run: bookshelf {rss['bookshelf']:.0f} MB, "
          f"baseline {rss['baseline']:.0f} MB")


async def statement_counts(url: str, book_id: int, author_id: int, rare: str
                           ) -> dict[str, tuple[int, int]]:
    """The statements and transactions each operation sends, counted in process as the
    tests count them (tests/integration/sql_sent.py), on the benchmark's own database."""
    os.environ["DATABASE_URL"] = url
    import httpx
    from asgi_lifespan import LifespanManager

    from app import create_app
    from tests.integration.sql_sent import counting

    app = create_app()
    container = app.state.container
    credited = f"/books/{book_id}/authors/{author_id}"
    operations = {
        "GET /books/{id}": ("GET", f"/books/{book_id}", None),
        "GET /authors/{id}": ("GET", f"/authors/{author_id}", None),
        "GET /books?title= (a rare term)": ("GET", f"/books?limit=20&title={rare}", None),
        "GET /books?title= (a common word)": ("GET", "/books?limit=20&title=river", None),
        "POST /books": ("POST", "/books", {"title": "Counted", "isbn": isbn13(999_999_999, "979"),
                                           "pages": 1, "price": {"amount": 1},
                                           "publication_year": 2020}),
        "PUT /books/{id}/authors/{aid}": ("PUT", credited, None),
    }
    found = {}
    async with LifespanManager(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        with counting(container.engine(), container.reads()) as sent:
            for label, (method, path, body) in operations.items():
                sent.clear()
                response = await client.request(method, path, json=body)
                assert response.status_code < 300, response.text
                found[label] = sent.counts
    return found


def median_of(results: list[Result]) -> Result:
    """The run of median throughput (its latencies with it), errors summed over the runs."""
    middle = sorted(results, key=lambda r: r.requests_per_s)[len(results) // 2]
    return Result(middle.requests_per_s, middle.p50_ms, middle.p99_ms,
                  sum(r.errors for r in results))


def scale(args: argparse.Namespace) -> None:
    url, work = args.database_url, Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    print("| books | title search p50 ms | page 1 p50 ms | page 1000 p50 ms |")
    print("|---:|---:|---:|---:|")
    for size in (10_000, 1_000_000):
        asyncio.run(recreate(url))
        book_ids, _, _ = asyncio.run(load(url, size, 1000))
        deep = sorted(book_ids)[1000 * 20 - 1] if size >= 20_000 else sorted(book_ids)[-21]
        write_lines(work / "words.txt", WORDS)
        with serving("app:app", url, work / "bookshelf-scale.log") as (shelf, _pid):
            search = wrk(shelf, "search_books.lua", [str(work / "words.txt")], seconds=5,
                         connections=8)
            write_lines(work / "page1.txt", ["?limit=20"])
            first = wrk(f"{shelf}/books?limit=20", "plain_get.lua", [], seconds=5, connections=8)
            deep_page = wrk(f"{shelf}/books?limit=20&after={deep}", "plain_get.lua", [],
                            seconds=5, connections=8)
        print(f"| {size} | {search.p50_ms:.1f} | {first.p50_ms:.1f} | {deep_page.p50_ms:.1f} |",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    wrk_arguments(parser, "/tmp/bookshelf-bench")
    parser.add_argument("--books", type=int, default=10_000)
    parser.add_argument("--authors", type=int, default=1_000)
    parser.add_argument("--scale", action="store_true",
                        help="title search and deep pages at 10^4 and 10^6 books instead")
    args = parser.parse_args()
    scale(args) if args.scale else table(args)


if __name__ == "__main__":
    main()
