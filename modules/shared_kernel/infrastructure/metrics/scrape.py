"""The text a scrape gets: every process's values of this run added up, and what is only
known at scrape time: the event publication backlog (read from the database) and how long
each process's worker-id lease has left (from the expiry each process stored)."""

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LEASE_EXPIRY = "bookshelf_worker_lease_expiry_timestamp_seconds"


@dataclass(frozen=True)
class Backlog:
    pending: int
    failed: int
    oldest_open_age_s: float  # 0 when nothing is open


def exposition(directory: Path, backlog: Backlog | None, accept: str) -> tuple[bytes, str]:
    """The scrape's body and content type (the format the scraper's Accept asks for)."""
    from prometheus_client import CollectorRegistry
    from prometheus_client.exposition import choose_encoder

    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Scrape(directory, backlog, time.time()))
    encode, content_type = choose_encoder(accept)
    return encode(registry), content_type


class _Scrape:
    def __init__(self, directory: Path, backlog: Backlog | None, now_s: float) -> None:
        self._directory = directory
        self._backlog = backlog
        self._now_s = now_s

    def collect(self) -> Iterator[Any]:
        from prometheus_client.multiprocess import MultiProcessCollector

        for family in MultiProcessCollector(None, path=str(self._directory)).collect():
            yield family
            if family.name == LEASE_EXPIRY:
                yield from self._lease_now(family)
        if self._backlog is not None:
            yield from _backlog_families(self._backlog)

    def _lease_now(self, expiries: Any) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        held = GaugeMetricFamily(
            "bookshelf_worker_lease_held",
            "1 while the process holds its worker-id lease (its expiry is still ahead).",
            labels=["pid"])
        left = GaugeMetricFamily(
            "bookshelf_worker_lease_seconds_to_expiry",
            "Seconds until the process's worker-id lease expires unless renewed; 0 if it holds "
            "none.", labels=["pid"])
        for sample in expiries.samples:
            seconds = max(0.0, sample.value - self._now_s)
            held.add_metric([sample.labels["pid"]], 1.0 if seconds > 0 else 0.0)
            left.add_metric([sample.labels["pid"]], seconds)
        yield held
        yield left


def _backlog_families(backlog: Backlog) -> Iterator[Any]:
    from prometheus_client.core import GaugeMetricFamily

    yield GaugeMetricFamily("bookshelf_event_publications_pending",
                            "Publications not yet delivered (retries included).",
                            value=backlog.pending)
    yield GaugeMetricFamily("bookshelf_event_publications_failed",
                            "Publications given up on; see /admin/event-publications.",
                            value=backlog.failed)
    yield GaugeMetricFamily("bookshelf_event_publications_oldest_open_age_seconds",
                            "How long the oldest open publication has waited; 0 if none.",
                            value=backlog.oldest_open_age_s)
