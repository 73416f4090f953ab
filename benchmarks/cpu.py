"""The CPU one request costs each server, in process: no HTTP, no sockets, no wrk.

    poetry run python benchmarks/cpu.py                 # both servers, interleaved: the ratios
    poetry run python benchmarks/cpu.py --only PUT --profile   # where bookshelf's CPU goes

Calls both ASGI apps directly (as uvicorn would, lifespans run) in one process, one request
at a time, and reports the median thread CPU time per request of each operation on each, and
their ratio (baseline / bookshelf, as run.py's throughput ratio reads). The two take turns,
batch after batch: on a shared machine whose speed drifts from minute to minute, runs made one
after the other differed by a third, a ratio taken in turns by about a tenth. Sharing the
CPU's caches with the larger program costs the baseline a little, so the ratios flatter
bookshelf somewhat; run.py's wrk ratios are the ones that count.
Needs PostgreSQL (BENCH_DATABASE_URL, as run.py; its database bookshelf_bench_cpu is dropped
and recreated).
"""

import argparse
import asyncio
import gc
import itertools
import json
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import uvloop  # noqa: E402
from asgi_lifespan import LifespanManager  # noqa: E402

from benchmarks.catalogue import database_url, isbn13, load, recreate  # noqa: E402

AUTHORS = 200
BOOKS = 200  # they credit no one: the credits made here are fresh pairs


class Caller:
    """One request straight into the ASGI app, the way uvicorn hands it over."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, method: str, path: str, body: bytes = b"") -> int:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
                 "query_string": b"", "root_path": "", "server": ("bench", 80),
                 "client": ("127.0.0.1", 50000),
                 "headers": [(b"host", b"bench"), (b"content-type", b"application/json"),
                             (b"content-length", str(len(body)).encode())]}
        sent = False
        status = 0

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.Event().wait()  # no disconnect while the answer is written
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await self.app(scope, receive, send)
        return status


Operation = Callable[[], Awaitable[int]]
SERVERS = ("bookshelf", "baseline")


def operations_on(call: Caller, books: list[int], authors: list[int], read_book: int,
                  read_author: int, first_isbn: int) -> dict[str, Operation]:
    """Each operation as one server is asked it; `books` are its own to credit, with
    `authors` (not `read_author`, whose list of books the credits would lengthen)."""
    isbns = itertools.count(first_isbn)
    fresh = ((book, author) for author in authors for book in books)  # ≤ 200 a book

    def new_book() -> Awaitable[int]:
        return call("POST", "/books", json.dumps({
            "title": "A bench book", "isbn": isbn13(next(isbns)), "pages": 100,
            "price": {"amount": 1000, "currency": "KRW"},
            "publication_year": 2020}).encode())

    def credit() -> Awaitable[int]:
        book, author = next(fresh)
        return call("PUT", f"/books/{book}/authors/{author}")

    return {
        "GET /books/{id}": lambda: call("GET", f"/books/{read_book}"),
        "GET /authors/{id}": lambda: call("GET", f"/authors/{read_author}"),
        "POST /books": new_book,
        "PUT /books/{id}/authors/{aid}": credit,
    }


async def measure(apps: dict[str, Any], url: str, args: argparse.Namespace
                  ) -> dict[str, dict[str, float]]:
    books, authors, _ = await load(url, 2 * BOOKS + 1, AUTHORS, uncredited=2 * BOOKS)
    read_book, to_credit = books[0], {"bookshelf": books[1:BOOKS + 1],
                                      "baseline": books[BOOKS + 1:]}
    async with LifespanManager(apps["bookshelf"]) as shelf, \
            LifespanManager(apps["baseline"]) as base:
        served = {"bookshelf": shelf.app, "baseline": base.app}
        operations = {name: operations_on(Caller(served[name]), to_credit[name], authors[1:],
                                          read_book, authors[0],
                                          first_isbn=10_000 + 500_000 * i)
                      for i, name in enumerate(SERVERS)}
        chosen = [label for label in operations["bookshelf"]
                  if args.only is None or args.only.lower() in label.lower()]
        if args.profile:
            await profiled({label: operations["bookshelf"][label] for label in chosen},
                           args.rounds * args.batch)
            return {}
        return {label: await in_turns({name: operations[name][label] for name in SERVERS},
                                      args.rounds, args.batch)
                for label in chosen}


async def warmed_up(operation: Operation, requests: int) -> None:
    """A fifth of the requests first: compiled statements, prepared plans, warm caches."""
    for _ in range(requests // 5):
        await operation()


async def in_turns(operations: dict[str, Operation], rounds: int, batch: int
                   ) -> dict[str, float]:
    """The median CPU per request of each server, the servers taking turns a batch at a time."""
    for operation in operations.values():
        await warmed_up(operation, rounds * batch)
    times: dict[str, list[float]] = {name: [] for name in operations}
    for _ in range(rounds):
        for name, operation in operations.items():
            gc.collect()  # each batch pays for its own garbage, not the other server's
            for _ in range(batch):
                start = time.thread_time()
                status = await operation()
                times[name].append(time.thread_time() - start)
                if status >= 400:
                    raise SystemExit(f"{name} answered {status}")
    return {name: statistics.median(spent) * 1e6 for name, spent in times.items()}


async def profiled(operations: dict[str, Operation], requests: int) -> None:
    from pyinstrument import Profiler  # a development tool, installed by hand

    for name, operation in operations.items():
        await warmed_up(operation, requests)
        profiler = Profiler(interval=0.0001, async_mode="disabled")
        profiler.start()
        for _ in range(requests):
            await operation()
        profiler.stop()
        print(f"### {name}")
        print(profiler.output_text(unicode=False, color=False, show_all=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--batch", type=int, default=100, help="requests a server makes a turn")
    parser.add_argument("--only", help="only the operations whose name has this word")
    parser.add_argument("--profile", action="store_true",
                        help="print pyinstrument's profile of bookshelf instead "
                             "(pip install pyinstrument)")
    args = parser.parse_args()
    url = database_url("cpu")
    uvloop.run(recreate(url))
    # Both read DATABASE_URL; bookshelf's own request log is written (to stderr), as served.
    os.environ.update(DATABASE_URL=url, LOG_LEVEL="INFO")
    from app import app
    from benchmarks.baseline_app import app as baseline

    results = uvloop.run(measure({"bookshelf": app, "baseline": baseline}, url, args))
    if results:
        print("| operation | bookshelf µs | baseline µs | ratio |\n|---|---:|---:|---:|")
    for label, spent in results.items():
        print(f"| {label} | {spent['bookshelf']:.0f} | {spent['baseline']:.0f} | "
              f"{spent['baseline'] / spent['bookshelf']:.2f} |")


if __name__ == "__main__":
    main()
