"""Title search at 10^4 and 10^6 books: p50 latency over HTTP, for common and rare terms.

    poetry run python benchmarks/search_scale.py [--sizes 10000 1000000] [--requests 300]

Needs PostgreSQL (BENCH_DATABASE_URL, default postgresql+asyncpg://postgres@127.0.0.1/
bookshelf_bench; its database bookshelf_bench_search_scale is dropped and recreated). Loads the books as benchmarks/run.py
does ("The river of stone 4321", words from a list of 48), starts bookshelf (one uvicorn
worker), and sends one request at a time, so the numbers are latencies, not throughput. The
kinds of term take turns, so a noisy neighbour slows them alike:

- common: a word of the list, in about 4 % of the titles; "the", in all of them;
- rare: the end of one title ("stone 4321"), in one to three titles;
- sampled: the same, of the titles ANALYZE keeps in the column's histogram, which the planner
  takes for 1 % of the books each (see persistence/search_pages.py);
- absent: a word in no title;
- and, for comparison, the first page with no term at all.

Beside each p50 over HTTP it gives the p50 of the time spent inside PostgreSQL (planning and
execution of the statement a page takes, from EXPLAIN ANALYZE, without the join to the
authors), which a busy machine disturbs less, and it prints the plans of one term of each
kind, so a number can be read with the plans that gave it.
"""

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from sqlalchemy import CompoundSelect, Select, select  # noqa: E402
from sqlalchemy.dialects import postgresql  # noqa: E402

from benchmarks.catalogue import WORDS, database_url, load, plain_dsn, recreate  # noqa: E402
from benchmarks.run import serving  # noqa: E402
from persistence.search_keys import contains_term, like_term  # noqa: E402
from persistence.search_pages import TERM, WALK_PER_ROW, walk_or_index  # noqa: E402
from persistence.tables import books  # noqa: E402

PAGE = 21  # the service asks for one more than the page (20), to know if there are more
ABSENT = ["quokka", "zephyrine", "xylophone", "marmalade", "tundra", "saffron"]


async def terms(url: str) -> dict[str, list[str]]:
    connection = await asyncpg.connect(plain_dsn(url))
    sample = await connection.fetch("SELECT title FROM books ORDER BY random() LIMIT 60")
    sampled = await connection.fetchval(
        "SELECT histogram_bounds::text::text[] FROM pg_stats "
        "WHERE tablename = 'books' AND attname = 'title_key'")
    await connection.close()
    return {"no term": [""], "common": [*WORDS, "the"],
            "rare": [_end_of(row["title"]) for row in sample],
            "sampled": [_end_of(title) for title in sampled[1:-1]],
            "absent": ABSENT}


def _end_of(title: str) -> str:
    return " ".join(title.split()[3:])  # "The river of stone 4321": "stone 4321"


async def latencies(base: str, kinds: dict[str, list[str]], requests: int) -> dict[str, list]:
    taken: dict[str, list[float]] = {kind: [] for kind in kinds}
    async with aiohttp.ClientSession(base) as session:
        for i in range(requests + 20):  # the first 20 rounds warm up and are not counted
            for kind, words in kinds.items():
                started = time.perf_counter()
                term = words[i % len(words)]
                async with session.get("/books", params={"title": term} if term else {}) as r:
                    assert r.status == 200, await r.text()
                    await r.read()
                if i >= 20:
                    taken[kind].append((time.perf_counter() - started) * 1000)
    return taken


def page_statement(term: str) -> str:
    """The page statement the service sends for `term` (persistence/search_pages.py),
    without the join to the authors, the parameters written in."""
    if not term:
        return _sql(select(books).order_by(books.c.id).limit(PAGE))
    matching = lambda rows: contains_term(rows.c.title_key, TERM)  # noqa: E731
    values = {"term": like_term(term), "size": PAGE, "window": PAGE * WALK_PER_ROW}
    return _sql(walk_or_index(books, matching, after=False).params(values))


def _sql(statement: Select | CompoundSelect) -> str:
    return str(statement.compile(dialect=postgresql.asyncpg.dialect(),
                                 compile_kwargs={"literal_binds": True}))


async def in_database(url: str, kinds: dict[str, list[str]], rounds: int,
                      ) -> tuple[dict[str, list[float]], list[str]]:
    """Planning and execution time inside PostgreSQL of the statement a page takes (the
    walk, or the index pass when the walk comes back short), and the plan of each kind's
    first term."""
    connection = await asyncpg.connect(plain_dsn(url))
    taken: dict[str, list[float]] = {kind: [] for kind in kinds}
    shown = []
    for i in range(rounds):
        for kind, words in kinds.items():
            [[explained]] = await connection.fetch(
                f"EXPLAIN (ANALYZE, COSTS OFF, FORMAT JSON) {page_statement(words[i % len(words)])}")
            result = json.loads(explained)[0]
            taken[kind].append(result["Planning Time"] + result["Execution Time"])
            if i == 0:
                shown.append(f"  {kind:7s} {words[0]!r}: {' > '.join(_nodes(result['Plan']))}")
    await connection.close()
    return taken, shown


def _nodes(plan: dict) -> list[str]:
    """The nodes that ran: of the page's two passes, the one that answered."""
    if plan.get("Actual Loops") == 0:
        return []
    name = plan["Node Type"] + (f" on {plan['Index Name']}" if "Index Name" in plan else "")
    return [name, *(node for child in plan.get("Plans", []) for node in _nodes(child))]


def p50(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=database_url("search_scale"))
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--requests", type=int, default=300, help="per kind of term")
    parser.add_argument("--work", default="/tmp/bookshelf-bench")
    args = parser.parse_args()
    url, work = args.database_url, Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in args.sizes:
        asyncio.run(recreate(url))
        asyncio.run(load(url, size, 1000))
        kinds = asyncio.run(terms(url))
        inside, shown = asyncio.run(in_database(url, kinds, args.requests))
        print(f"{size} books, the plans:", *shown, sep="\n", flush=True)
        with serving("app:app", url, work / "bookshelf-search-scale.log") as (base, _pid):
            over_http = asyncio.run(latencies(base, kinds, args.requests))
        rows.append(f"| {size} | " + " | ".join(
            f"{p50(over_http[kind]):.1f} / {p50(inside[kind]):.2f}" for kind in kinds) + " |")
    print("\np50 in ms: over HTTP / inside PostgreSQL (planning and execution)\n")
    print("| books | " + " | ".join(kinds) + " |")
    print("|---:|" + "---:|" * len(kinds))
    print(*rows, sep="\n")

if __name__ == "__main__":
    main()
