"""Snowflake ids: 64-bit, time-ordered, made in the process without asking the database.

Layout (most significant first)::

    0 | 41 bits: milliseconds since EPOCH | 10 bits: worker id | 12 bits: sequence

The sign bit is always 0, so every id is a positive BIGINT. The epoch is a constant
(2026-01-01T00:00:00Z), never the process start time: an id made after a restart can never
repeat one made before it. 2^41 ms is about 69.7 years, so ids run out in September 2095.
At most 4096 ids per millisecond per worker (4 096 000 per second); past that the generator
waits for the next millisecond instead of wrapping the sequence.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

EPOCH_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z
TIMESTAMP_BITS = 41
WORKER_BITS = 10
SEQUENCE_BITS = 12
MAX_WORKER_ID = (1 << WORKER_BITS) - 1
MAX_SEQUENCE = (1 << SEQUENCE_BITS) - 1
MAX_TIMESTAMP = (1 << TIMESTAMP_BITS) - 1
MAX_ID = (1 << 63) - 1
TIMESTAMP_SHIFT = WORKER_BITS + SEQUENCE_BITS


class IdsUnavailable(RuntimeError):
    """This process cannot make ids right now. Not a DomainError: no request is at fault,
    so clients are told to retry (503) and operators get a log line."""


class ClockMovedBackwards(IdsUnavailable):
    """The wall clock went back further than the generator is willing to wait out."""


class WorkerIdNotHeld(IdsUnavailable):
    """The lease on this process's worker id may have run out (a pause, a lost database)."""


@dataclass(frozen=True)
class SnowflakeParts:
    created_at: datetime
    worker_id: int
    sequence: int


def compose(timestamp_ms: int, worker_id: int, sequence: int) -> int:
    """Pack the three fields; `timestamp_ms` counts from EPOCH_MS."""
    if not 0 <= timestamp_ms <= MAX_TIMESTAMP:
        raise ValueError(f"timestamp out of range: {timestamp_ms}")
    if not 0 <= worker_id <= MAX_WORKER_ID:
        raise ValueError(f"worker id must be 0..{MAX_WORKER_ID}: {worker_id}")
    if not 0 <= sequence <= MAX_SEQUENCE:
        raise ValueError(f"sequence must be 0..{MAX_SEQUENCE}: {sequence}")
    return (timestamp_ms << (WORKER_BITS + SEQUENCE_BITS)) | (worker_id << SEQUENCE_BITS) | sequence


def decode(snowflake: int) -> SnowflakeParts:
    """When, where and in which order an id was made."""
    if not 0 < snowflake <= MAX_ID:
        raise ValueError(f"not a snowflake id: {snowflake}")
    timestamp_ms = snowflake >> (WORKER_BITS + SEQUENCE_BITS)
    return SnowflakeParts(
        created_at=datetime.fromtimestamp((EPOCH_MS + timestamp_ms) / 1000, tz=UTC),
        worker_id=(snowflake >> SEQUENCE_BITS) & MAX_WORKER_ID,
        sequence=snowflake & MAX_SEQUENCE,
    )


def _wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class SnowflakeGenerator:
    """Strictly increasing ids for one worker; safe to share between threads and tasks."""

    def __init__(
        self,
        worker_id: int,
        *,
        clock: Callable[[], int] = _wall_clock_ms,
        sleep: Callable[[float], None] = time.sleep,
        max_backward_ms: int = 10,
        not_before_ms: int | None = None,
        permit: Callable[[], bool] | None = None,
    ) -> None:
        """`not_before_ms` (epoch ms): make no id stamped earlier, e.g. a previous holder of
        this worker id may have used times up to then. `permit`: asked before every id;
        False means the worker id may no longer be ours."""
        if not 0 <= worker_id <= MAX_WORKER_ID:
            raise ValueError(f"worker id must be 0..{MAX_WORKER_ID}: {worker_id}")
        self.worker_id = worker_id
        self._worker_bits = worker_id << SEQUENCE_BITS
        self._clock = clock
        self._sleep = sleep
        self._max_backward_ms = max_backward_ms
        self._lock = threading.Lock()
        self._permit = permit
        self._last_ms = -1 if not_before_ms is None else not_before_ms - EPOCH_MS
        self._sequence = MAX_SEQUENCE  # so an id in the not-before millisecond moves past it

    def __call__(self) -> int:
        with self._lock:
            now = self._now()
            if now < self._last_ms:
                now = self._wait_until(self._last_ms, now)
            sequence = 0
            if now == self._last_ms:
                sequence = (self._sequence + 1) & MAX_SEQUENCE
                if sequence == 0:  # 4096 ids this millisecond: take the next one
                    now = self._wait_until(self._last_ms + 1, now)
            # Asked once the stamp is read, not before: a pause (or a wait above) between the
            # question and the clock could otherwise stamp an id later than the lease allowed.
            if self._permit is not None and not self._permit():
                raise WorkerIdNotHeld(
                    f"the lease on worker id {self.worker_id} is not confirmed; "
                    "no ids until it is renewed"
                )
            self._last_ms, self._sequence = now, sequence
            # compose() without its checks: worker and sequence are in range by construction.
            return (now << TIMESTAMP_SHIFT) | self._worker_bits | sequence

    def last_stamp_ms(self) -> int | None:
        """When (epoch ms) the latest id was stamped, or the not-before time if none has been
        made; None if neither. Waits for an id being made in another thread."""
        with self._lock:
            return None if self._last_ms < 0 else self._last_ms + EPOCH_MS

    def _now(self) -> int:
        now = self._clock() - EPOCH_MS
        if now < 0:
            raise ClockMovedBackwards("the clock reads a time before the snowflake epoch")
        if now > MAX_TIMESTAMP:
            raise IdsUnavailable("the 41-bit timestamp has run out (September 2095)")
        return now

    def _wait_until(self, target: int, now: int) -> int:
        """Sleep until the clock reads `target`, unless it is too far behind the last id."""
        while now < target:
            behind = self._last_ms - now
            if behind > self._max_backward_ms:
                raise ClockMovedBackwards(
                    f"the clock moved back {behind} ms (more than {self._max_backward_ms} ms); "
                    "refusing to make ids that could repeat"
                )
            self._sleep((target - now) / 1000)
            now = self._now()
        return now


_generator = SnowflakeGenerator(worker_id=0)


def use_worker(
    worker_id: int,
    *,
    max_backward_ms: int,
    not_before_ms: int | None = None,
    permit: Callable[[], bool] | None = None,
) -> None:
    """Make this process's ids with `worker_id` from now on (at startup, or when a lost lease
    is replaced by a new one)."""
    use_generator(SnowflakeGenerator(worker_id, max_backward_ms=max_backward_ms,
                                     not_before_ms=not_before_ms, permit=permit))


def use_generator(generator: SnowflakeGenerator) -> SnowflakeGenerator:
    """Make this process's ids with `generator`; returns the one it replaces."""
    global _generator
    previous, _generator = _generator, generator
    return previous


def current_generator() -> SnowflakeGenerator:
    return _generator


def current_worker_id() -> int:
    return _generator.worker_id


def next_id() -> int:
    """A new id for an aggregate: the domain's one source of identity."""
    return _generator()
