"""What tracing and metrics cost: bookshelf with them off against bookshelf with them on,
interleaved in one run, with wrk (README: Observability, cost).

    poetry run python benchmarks/observability.py                 # all on, about 4 minutes
    poetry run python benchmarks/observability.py --on metrics    # one part at a time
    poetry run python benchmarks/observability.py --on traces --sample 0.1

"On" is what a production user would run: OTLP over HTTP to a collector (here a sink in this
process that accepts every export, so the exporter does its whole job), every request sampled
unless --sample says otherwise, and METRICS_ENABLED. Same database, data and machine notes as
benchmarks/run.py.
"""

import argparse
import asyncio
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.catalogue import load_with_credits, recreate
from benchmarks.run import (
    Operation,
    free_port,
    interleaved,
    median_of,
    refuse_failed_rows,
    rss_mb,
    serving,
    write_lines,
    wrk_arguments,
)


class Collector(BaseHTTPRequestHandler):
    """Takes every OTLP export and answers 200, as a collector would."""

    spans_bytes = 0

    def do_POST(self) -> None:
        Collector.spans_bytes += len(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    wrk_arguments(parser, "observability")
    parser.add_argument("--on", choices=("all", "traces", "metrics"), default="all")
    parser.add_argument("--sample", type=float, default=1.0,
                        help="the share of requests traced (parentbased_traceidratio)")
    args = parser.parse_args()
    url, work = args.database_url, Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    asyncio.run(recreate(url))
    book_ids, author_ids, _, pairs = load_with_credits(url, 10_000, 1_000, ("off", "on"), args)

    port = free_port()
    collector = ThreadingHTTPServer(("127.0.0.1", port), Collector)
    threading.Thread(target=collector.serve_forever, daemon=True).start()
    traces = {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}",
              "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
              "OTEL_TRACES_SAMPLER_ARG": str(args.sample)}
    metrics = {"METRICS_ENABLED": "true", "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics")}
    observed = {"all": {**traces, **metrics}, "traces": traces, "metrics": metrics}[args.on]
    (work / "metrics").mkdir(exist_ok=True)

    isbn_blocks = iter(range(0, 900_000_000, 20_000_000))
    operations: list[Operation] = [
        ("GET /books/{id}", "get_book.lua", lambda *_: [write_lines(work / "books.txt", book_ids)]),
        ("GET /authors/{id}", "get_author.lua",
         lambda *_: [write_lines(work / "authors.txt", author_ids)]),
        ("POST /books", "add_book.lua", lambda *_: [str(next(isbn_blocks))]),
        ("PUT /books/{id}/authors/{aid}", "add_author_to_book.lua",
         lambda name, r: [write_lines(work / f"pairs-{name}-{r}.txt", pairs[name, r]), "2"]),
    ]
    with serving("app:app", url, work / "off.log") as (off, off_pid), \
            serving("app:app", url, work / "on.log", observed) as (on, on_pid):
        results = interleaved(operations, [("off", off), ("on", on)], args)
        rss = {"off": rss_mb(off_pid), "on": rss_mb(on_pid)}
    collector.shutdown()

    print(f"\nwrk -t2 -c{args.connections} -d{args.duration:g}s, {args.rounds} interleaved "
          f"rounds, medians; 1 uvicorn worker each (uvloop); on = {args.on}"
          + (f", {args.sample:.0%} of requests traced" if args.on != "metrics" else "") + "\n")
    print("| operation | off req/s | on req/s | on/off | p99 ms (off/on) | errors (off/on) |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, *_ in operations:
        a, b = median_of(results[label, "off"]), median_of(results[label, "on"])
        print(f"| {label} | {a.requests_per_s:.0f} | {b.requests_per_s:.0f} | "
              f"{b.requests_per_s / a.requests_per_s:.2f} | {a.p99_ms:.1f} / {b.p99_ms:.1f} | "
              f"{a.errors} / {b.errors} |")
    print(f"\nRSS after the run: off {rss['off']:.0f} MB, on {rss['on']:.0f} MB; "
          f"{Collector.spans_bytes / 1e6:.1f} MB of spans exported")
    refuse_failed_rows(results, work)


if __name__ == "__main__":
    main()
