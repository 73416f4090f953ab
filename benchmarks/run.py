"""bookshelf against a raw-asyncpg baseline, interleaved in one run, with wrk.

    poetry run python benchmarks/run.py                 # the table (about 3 minutes)
    poetry run python benchmarks/run.py --scale         # title search and deep pages, 10^4 vs 10^6

Needs PostgreSQL (BENCH_DATABASE_URL, default postgresql+asyncpg://postgres@127.0.0.1/
bookshelf_bench; its database bookshelf_bench_run is dropped and recreated) and wrk (Debian:
apt-get install wrk).
Both servers run one uvicorn worker with uvloop; only one is under load at a time. Timings on a
shared machine are noisy: compare the ratios of one run, not numbers across runs.
"""

import argparse
import asyncio
import os
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

from benchmarks.catalogue import (  # noqa: E402
    CREDIT_AUTHORS,
    WORDS,
    books_for_credits,
    database_url,
    isbn13,
    load,
    load_with_credits,
    rare_terms,
    recreate,
)

WRK = ROOT / "benchmarks" / "wrk"



@dataclass
class Result:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int

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
                  latency("50%"), latency("99%"), errors,
                  int(re.search(r"(\d+) requests in", out).group(1)))


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def write_lines(path: Path, lines: list[object]) -> str:
    path.write_text("\n".join(str(line) for line in lines) + "\n")
    return str(path)


Operation = tuple[str, str, Callable[[str, int], list[str]]]  # label, wrk script, its args


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


def wrk_arguments(parser: argparse.ArgumentParser, benchmark: str) -> None:
    """The database and the load, as every benchmark here takes them."""
    parser.add_argument("--database-url", default=database_url(benchmark))
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", default=f"/tmp/bookshelf-bench-{benchmark}")


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
    # The last book credits author (books - 1) % authors alone (load): the next author is
    # one it does not credit yet, for the count of a credit, whatever --books and --authors.
    uncredited = author_ids[len(book_ids) % len(author_ids)]
    counts = asyncio.run(statement_counts(url, book_ids[-1], uncredited, rare_terms(titles)[0]))
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
    refuse_failed_rows(results, work)


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
                  sum(r.errors for r in results), sum(r.requests for r in results))


def failed_too_often(result: Result) -> bool:
    """More than 1 % of the requests failed: the rate measures the failures (a fast 404, a
    refused connection), not the operation, and a ratio made of it means nothing."""
    return result.errors > result.requests / 100


def refuse_failed_rows(results: dict[tuple[str, str], list[Result]], work: Path) -> None:
    """Exit with an error naming the operations any server failed too often on."""
    invalid = sorted({label for (label, _), runs in results.items()
                      if failed_too_often(median_of(runs))})
    if invalid:
        sys.exit(f"\nNOT VALID: over 1 % of the requests failed for {', '.join(invalid)}; "
                 f"see {work}/*.log (was another benchmark run on the same database?)")


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
    wrk_arguments(parser, "run")
    parser.add_argument("--books", type=int, default=10_000)
    parser.add_argument("--authors", type=int, default=1_000)
    parser.add_argument("--scale", action="store_true",
                        help="title search and deep pages at 10^4 and 10^6 books instead")
    args = parser.parse_args()
    scale(args) if args.scale else table(args)


if __name__ == "__main__":
    main()
