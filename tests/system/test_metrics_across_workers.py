"""Two uvicorn workers, one /metrics: whichever worker answers a scrape, it shows what both
served, and a restart starts every count from zero."""

import asyncio
import glob
import json
import signal
from collections import Counter
from pathlib import Path

import httpx
from prometheus_client.mmap_dict import MmapedDict

from tests.metrics_scrape import requests_counted, samples, value
from tests.system.databases import fresh_database
from tests.system.gate import Gate
from tests.system.servers import started_service

AUTHORS, MISSES = 24, 16


async def traffic(base_url: str, gate: Gate) -> None:
    """Authors created and unknown books asked for, many at once. The first author's worker
    is held, its loop too, until the second author has gone to the other worker: each worker
    serves some, so neither one's own numbers are the totals."""
    limits = httpx.Limits(max_keepalive_connections=0)  # a new connection each
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
        def create(i: int) -> "asyncio.Task[httpx.Response]":
            return asyncio.create_task(client.post(
                "/authors", json={"first_name": f"A{i}", "last_name": "B"}))

        first = create(0)
        await gate.until(lambda g: len(g.at("turn")) == 1, "the first author's worker")
        second = create(1)
        await gate.until(lambda g: len({a.pid for a in g.at("turn")}) == 2, "both workers")
        gate.open("turn")
        gate.open("command")
        answers = await asyncio.gather(
            first, second, *(create(i) for i in range(2, AUTHORS)),
            *(client.get(f"/books/{i + 1}") for i in range(MISSES)))
    assert Counter(a.status_code for a in answers) == Counter({201: AUTHORS, 404: MISSES})


def served_by_each_process(directory: Path) -> dict[str, float]:
    """POST /authors answered, per worker, straight from each worker's own file."""
    served = {}
    for path in glob.glob(str(directory / "histogram_*.db")):
        pid = Path(path).stem.removeprefix("histogram_")
        # Stored per bucket, not cumulative: a request is in exactly one.
        stored = MmapedDict.read_all_values_from_file(path)
        served[pid] = sum(
            found for key, found, _timestamp, _position in stored
            for _metric, name, labels, _help in [json.loads(key)]
            if name.endswith("_bucket") and labels["method"] == "POST"
            and labels["route"] == "/authors")
    return served


async def scrapes(base_url: str, times: int) -> list[dict]:
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base_url, limits=limits) as client:
        answers = await asyncio.gather(*(client.get("/metrics") for _ in range(times)))
    assert [a.status_code for a in answers] == [200] * times
    return [samples(a.text) for a in answers]


async def test_two_workers_scrape_the_same_totals_and_a_restart_starts_from_zero(
    database_url: str, tmp_path: Path,
) -> None:
    env = {"METRICS_ENABLED": "true", "TMPDIR": str(tmp_path)}
    async with fresh_database(database_url, tmp_path) as url, Gate() as gate:
        with started_service(url, workers=2, log=tmp_path / "first.log",
                             app="tests.system.racing_app:app", BOOKSHELF_TEST_HOLD="command",
                             **gate.env, **env) as first:
            [directory] = [Path(p) for p in glob.glob(str(tmp_path / "bookshelf-metrics-*"))]
            await traffic(first.url, gate)
            seen = await scrapes(first.url, 6)
            per_worker = served_by_each_process(directory)
            first.stop(signal.SIGTERM)
        live_gauges_left = glob.glob(str(directory / "gauge_live*"))

        with started_service(url, workers=2, log=tmp_path / "second.log", **env) as second:
            [after_restart] = await scrapes(second.url, 1)
            second.stop(signal.SIGTERM)

    assert len(per_worker) == 2
    assert min(per_worker.values()) > 0  # both served some
    assert sum(per_worker.values()) == AUTHORS
    for scraped in seen:  # whichever worker answered: its own file alone has less
        counted = requests_counted({}, scraped)
        assert counted[("POST", "/authors", "201")] == AUTHORS
        assert counted[("GET", "/books/{book_id}", "404")] == MISSES
        assert sorted(pid for (name, labels), _ in scraped.items()
                      if name == "bookshelf_worker_lease_held"
                      for label, pid in labels if label == "pid") == sorted(per_worker)
    assert live_gauges_left == []  # each worker took its gauges out as it stopped
    assert not directory.exists()  # the ended run's directory went with the next start
    assert value(after_restart, "bookshelf_http_request_duration_seconds_count",
                 method="POST", route="/authors", status="201") == 0
