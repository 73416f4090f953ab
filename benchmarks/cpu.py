"""The CPU one request costs each server, in process: no HTTP, no sockets, no wrk.

    poetry run python benchmarks/cpu.py                 # bookshelf
    poetry run python benchmarks/cpu.py --baseline      # the raw-asyncpg baseline
    poetry run python benchmarks/cpu.py --only PUT --profile   # where its CPU goes

Calls the ASGI app directly (as uvicorn would, lifespan run), one request at a time, and
reports the median thread CPU time per request of each operation: on a machine where the HTTP
work both servers share is cheap, the wrk ratios in run.py come close to the ratio of these.
Needs PostgreSQL (BENCH_DATABASE_URL, as run.py; the database is dropped and recreated).
"""

import argparse
import asyncio
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

from benchmarks.catalogue import DEFAULT_URL, isbn13, load, recreate  # noqa: E402

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


async def measure(app: Any, url: str, rounds: int, only: str | None,
                  profile: bool) -> dict[str, float]:
    books, authors, _ = await load(url, BOOKS + 1, AUTHORS, uncredited=BOOKS)
    read_book, books = books[0], books[1:]
    async with LifespanManager(app) as manager:
        call = Caller(manager.app)
        isbns = itertools.count(BOOKS + 10_000)
        fresh = ((book, author) for author in authors for book in books)  # ≤ 100 a book

        def new_book() -> Awaitable[int]:
            return call("POST", "/books", json.dumps({
                "title": "A bench book", "isbn": isbn13(next(isbns)), "pages": 100,
                "price": {"amount": 1000, "currency": "KRW"},
                "publication_year": 2020}).encode())

        def credit() -> Awaitable[int]:
            book, author = next(fresh)
            return call("PUT", f"/books/{book}/authors/{author}")

        operations: dict[str, Operation] = {
            "GET /books/{id}": lambda: call("GET", f"/books/{read_book}"),
            "GET /authors/{id}": lambda: call("GET", f"/authors/{authors[0]}"),
            "POST /books": new_book,
            "PUT /books/{id}/authors/{aid}": credit,
        }
        chosen = {name: operation for name, operation in operations.items()
                  if only is None or only.lower() in name.lower()}
        if profile:
            await profiled(chosen, rounds)
            return {}
        return {name: await cpu_per_request(operation, rounds)
                for name, operation in chosen.items()}


async def warmed_up(operation: Operation, rounds: int) -> None:
    """A fifth of the rounds first: compiled statements, prepared plans, warm caches."""
    for _ in range(rounds // 5):
        await operation()


async def cpu_per_request(operation: Operation, rounds: int) -> float:
    await warmed_up(operation, rounds)
    times = []
    for _ in range(rounds):
        start = time.thread_time()
        status = await operation()
        times.append(time.thread_time() - start)
        if status >= 400:
            raise SystemExit(f"answered {status}")
    return statistics.median(times) * 1e6


async def profiled(operations: dict[str, Operation],
                   rounds: int) -> None:
    from pyinstrument import Profiler  # a development tool, installed by hand

    for name, operation in operations.items():
        await warmed_up(operation, rounds)
        profiler = Profiler(interval=0.0001, async_mode="disabled")
        profiler.start()
        for _ in range(rounds):
            await operation()
        profiler.stop()
        print(f"### {name}")
        print(profiler.output_text(unicode=False, color=False, show_all=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", action="store_true", help="measure the baseline")
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--only", help="only the operations whose name has this word")
    parser.add_argument("--profile", action="store_true",
                        help="print pyinstrument's profile instead (pip install pyinstrument)")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    uvloop.run(recreate(url))
    if args.baseline:
        os.environ["DATABASE_URL"] = url.replace("postgresql+asyncpg://", "postgresql://")
        from benchmarks.baseline_app import app
    else:
        os.environ.update(DATABASE_URL=url, LOG_LEVEL="INFO")
        from app import app
    results = uvloop.run(measure(app, url, args.rounds, args.only, args.profile))
    for name, micros in results.items():
        print(f"{name:32} {micros:8.0f} µs")


if __name__ == "__main__":
    main()
