"""What the service counts as it happens, in this process's files of the run's directory.

One object per process (prometheus-client keeps one set of files per process), made by the
container only when METRICS_ENABLED is set. Each method is named for what happened; the
scrape (scrape.py) adds up every process's values.
"""

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from modules.settings import Settings
from modules.shared_kernel.application.retry import lost_races_watched
from modules.shared_kernel.infrastructure.metrics.directory import directory_for_this_run
from persistence.reads import Reads

if TYPE_CHECKING:
    from prometheus_client import Counter, Gauge, Histogram

# From a quick read to a slow write: the API answers in milliseconds, a credit in tens of them,
# and a request that waits out a database timeout in seconds.
REQUEST_BUCKETS_S = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                     10.0, 30.0)
# Any other method a client invents is one label, not a new series each.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class ServiceMetrics:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        prometheus = _multiprocess_prometheus()
        self._requests: Histogram = prometheus.Histogram(
            "bookshelf_http_request_duration_seconds",
            "Requests answered, by method, route template and status, and how long they took.",
            ["method", "route", "status"], buckets=REQUEST_BUCKETS_S, registry=None)
        self._deliveries: Counter = prometheus.Counter(
            "bookshelf_event_deliveries",
            "Deliveries of event publications to a listener, by outcome: delivered, "
            "already_delivered, failed (will retry), gave_up.",
            ["listener", "outcome"], registry=None)
        self._lost_races: Counter = prometheus.Counter(
            "bookshelf_lost_races_retried",
            "Optimistic-locking races lost and run again, by operation.",
            ["operation"], registry=None)
        self._lease_expiry: Gauge = prometheus.Gauge(
            "bookshelf_worker_lease_expiry_timestamp_seconds",
            "When this process's worker-id lease expires, as the database confirmed it at the "
            "last renewal (epoch seconds); 0 while it holds none.",
            multiprocess_mode="liveall", registry=None)
        self._renewals_failed: Counter = prometheus.Counter(
            "bookshelf_worker_lease_renewals_failed",
            "Renewals of the worker-id lease that failed or found the lease taken over.",
            ["pid"], registry=None)
        connections: Gauge = prometheus.Gauge(
            "bookshelf_database_connections_in_use",
            "Database connections taken from a pool and not yet returned, by pool: writes "
            "(SQLAlchemy's) or reads (the queries' asyncpg pool, PostgreSQL only).",
            ["pool"], multiprocess_mode="livesum", registry=None)
        self._in_use = {pool: connections.labels(pool) for pool in ("writes", "reads")}
        self._served: dict[tuple[str, str, int], Any] = {}  # labels() costs a lock and a lookup

    def request_served(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        served = self._served.get(key)
        if served is None:
            shown = method if method in METHODS else "other"
            served = self._served[key] = self._requests.labels(shown, route, str(status))
        served.observe(seconds)

    def delivered(self, listener: str, outcome: str) -> None:
        self._deliveries.labels(listener, outcome).inc()

    def lost_race_retried(self, operation: str) -> None:
        self._lost_races.labels(operation).inc()

    def lease_confirmed(self, expires_at_ms: int) -> None:
        self._lease_expiry.set(expires_at_ms / 1000)

    def lease_lost(self) -> None:
        self._lease_expiry.set(0)

    def lease_renewal_failed(self) -> None:
        self._renewals_failed.labels(str(os.getpid())).inc()

    def connection_taken(self, pool: str) -> None:
        self._in_use[pool].inc()

    def connection_returned(self, pool: str) -> None:
        self._in_use[pool].dec()

    @contextlib.contextmanager
    def watching(self, engine: AsyncEngine, reads: Reads) -> Iterator[None]:
        """For the life of the app: connections taken from either pool, and lost races.
        When it ends, this process's gauges leave the scrape (a live process's only)."""
        taken, returned = _pool_listeners(self)
        event.listen(engine.sync_engine, "checkout", taken)
        event.listen(engine.sync_engine, "checkin", returned)
        try:
            with reads.connections_counted(self._reads_in_use), \
                    lost_races_watched(self.lost_race_retried):
                yield
        finally:
            event.remove(engine.sync_engine, "checkout", taken)
            event.remove(engine.sync_engine, "checkin", returned)
            _process_ended(self.directory)

    def _reads_in_use(self, change: int) -> None:
        self._in_use["reads"].inc(change)


def _pool_listeners(metrics: ServiceMetrics) -> tuple[Any, Any]:
    def taken(*_args: Any) -> None:
        metrics.connection_taken("writes")

    def returned(*_args: Any) -> None:
        metrics.connection_returned("writes")

    return taken, returned


_this_process: ServiceMetrics | None = None


def metrics_for_this_process(settings: Settings) -> ServiceMetrics | None:
    """The process's metrics, or None when they are off (nothing is imported then)."""
    global _this_process
    if not settings.metrics_enabled:
        return None
    if _this_process is None:
        _this_process = ServiceMetrics(directory_for_this_run())
    return _this_process


def _multiprocess_prometheus() -> Any:
    """prometheus_client, in multiprocess mode: it picks where values live when it is first
    imported, so it is imported only now, once the run's directory is in the environment."""
    import prometheus_client
    from prometheus_client import values

    if not getattr(values.ValueClass, "_multiprocess", False):
        # Someone imported it before the directory was chosen: switch before any metric of ours.
        values.ValueClass = values.MultiProcessValue()
    return prometheus_client


def _process_ended(directory: Path) -> None:
    """Take this process's live gauges out of the scrape. Its files are closed and forgotten,
    so metrics made again in this process (another app, in tests) start new ones."""
    global _this_process
    from prometheus_client import multiprocess, values

    multiprocess.mark_process_dead(os.getpid(), str(directory))
    values.ValueClass.close_all_files()
    _this_process = None
