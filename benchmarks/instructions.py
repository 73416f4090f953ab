"""The instructions one request costs each server, counted by valgrind: unlike time, a count
that a busy or drifting machine does not move.

    poetry run python benchmarks/instructions.py               # both servers, every operation
    poetry run python benchmarks/instructions.py --only GET    # the operations with this word

Needs valgrind (Debian's package) and PostgreSQL (BENCH_DATABASE_URL, as run.py; its database
bookshelf_bench_instructions is dropped and recreated). Slow: each count is a run of Python
under valgrind, about two minutes; two run at a time.

Each server is called in process, as cpu.py calls it (lifespan run, no HTTP, no sockets),
under `valgrind --tool=cachegrind --cache-sim=no`, which counts the instructions its process
executes (PostgreSQL's, in PostgreSQL's processes, are not counted). A run starts the server,
warms it up (200 requests of every operation), then asks `--requests` more of one operation;
the run that stops after the warm-up is subtracted from it, and what is left, divided by the
requests, is one request's count. The heap left by start-up and the warm-up is frozen
(`gc.freeze`) before the counted requests: otherwise a full collection of it fell among them
in one run and not in the next, and moved the baseline's count for a read by a tenth
(422 000 and 479 000). The collector takes about 2 % of a server's CPU (cpu.py's run).

A count is not a time: a cache miss costs more than an instruction, and a system call's work
in the kernel is not counted. Counts compare builds and servers on the same code paths; the
speed is run.py's.
"""

import argparse
import gc
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import uvloop  # noqa: E402
from asgi_lifespan import LifespanManager  # noqa: E402

from benchmarks.catalogue import database_url, load, recreate  # noqa: E402
from benchmarks.cpu import Caller, operations_on  # noqa: E402

SERVERS = {"bookshelf": "app", "baseline": "benchmarks.baseline_app"}
WARM_UP = 200
AUTHORS = 101  # one to read; a book takes up to 100 credits, each a pair never made before


async def serve_and_count(module: str, label: str | None, requests: int, setup: dict[str, Any]
                          ) -> None:
    """The child, under valgrind: the warm-up, then `requests` of `label` (none for the run
    that is subtracted)."""
    import importlib

    app = importlib.import_module(module).app
    async with LifespanManager(app) as served:
        operations = operations_on(Caller(served.app), setup["books"], setup["authors"],
                                   setup["read_book"], setup["read_author"],
                                   first_isbn=setup["first_isbn"])
        for operation in operations.values():
            for _ in range(WARM_UP):
                await operation()
        # What start-up and the warm-up left is frozen out of the collector's reach: whether
        # a full collection of it fell among the counted requests moved a count by a tenth
        # from one run to the next. What the counted requests themselves leave is collected.
        gc.collect()
        gc.freeze()
        if label is not None:
            for _ in range(requests):
                status = await operations[label]()
                if status >= 400:
                    raise SystemExit(f"{module}: {label} answered {status}")


def counted(module: str, label: str | None, requests: int, setup: dict[str, Any]) -> int:
    command = ["valgrind", "--tool=cachegrind", "--cache-sim=no",
               "--cachegrind-out-file=/dev/null", sys.executable, __file__, "--child", module,
               "--label", label or "", "--requests", str(requests), "--setup", json.dumps(setup)]
    run = subprocess.run(command, capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "LOG_LEVEL": "INFO", "EVENT_RELAY_ENABLED": "false"})
    found = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
    if run.returncode != 0 or found is None:
        raise SystemExit(f"{module} {label}: valgrind run failed\n{run.stderr[-3000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--only", help="only the operations whose name has this word")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--label", help=argparse.SUPPRESS)
    parser.add_argument("--setup", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        uvloop.run(serve_and_count(args.child, args.label or None, args.requests,
                                   json.loads(args.setup)))
        return

    url = database_url("instructions")
    os.environ["DATABASE_URL"] = url
    runs_per_server = 1 + 4  # the subtracted run, and at most one per operation
    credits_per_run = 2 * WARM_UP + args.requests  # the warm-up's, and the counted ones
    books_per_run = -(-credits_per_run // (AUTHORS - 1))
    uncredited = 2 * runs_per_server * books_per_run
    books, authors, _ = uvloop.run(_loaded(url, uncredited + 1, uncredited))
    labels = [label for label in operations_on(Caller(None), [], [], 0, 0, 0)
              if args.only is None or args.only.lower() in label.lower()]

    jobs: list[tuple[str, str | None, dict[str, Any]]] = []
    fresh = iter(range(1, len(books), books_per_run))
    for server in SERVERS:
        for label in [None, *labels]:
            first = next(fresh)
            jobs.append((server, label, {
                "books": books[first:first + books_per_run], "authors": authors[1:],
                "read_book": books[0], "read_author": authors[0],
                "first_isbn": 1_000_000 * (1 + len(jobs))}))  # each run's new books apart
    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = list(pool.map(lambda job: counted(SERVERS[job[0]], job[1], args.requests,
                                                   job[2]), jobs))
    found = {(server, label): count for (server, label, _), count in zip(jobs, counts,
                                                                         strict=True)}
    print(f"instructions per request ({args.requests} requests after a warm-up of "
          f"{WARM_UP} of each operation; valgrind cachegrind)")
    print("| operation | bookshelf | baseline | ratio |\n|---|---:|---:|---:|")
    for label in labels:
        each = {server: (found[server, label] - found[server, None]) / args.requests
                for server in SERVERS}
        print(f"| {label} | {each['bookshelf']:,.0f} | {each['baseline']:,.0f} | "
              f"{each['baseline'] / each['bookshelf']:.2f} |")


async def _loaded(url: str, books: int, uncredited: int) -> tuple[list[int], list[int], Any]:
    await recreate(url)
    return await load(url, books, AUTHORS, uncredited=uncredited)


if __name__ == "__main__":
    main()
