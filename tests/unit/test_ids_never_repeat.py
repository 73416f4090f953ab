"""No id is ever made twice, whatever happens to the processes that make them.

Three simulated processes (one pinned to worker id 0) share a lease table with only two free
worker ids, so they keep taking each other's ids over. Hypothesis drives them through pauses
(time passes while a process does nothing), suspends (its wall clock is left behind until
resynchronised), clock steps past the allowed skew, crashes and restarts, and asks for ids at
every point, also while a new lease waits out its not-before time. The lease, its rules and
the generator are the real ones; the clocks and the database are simulated.

Two ids only collide if they share a millisecond, which a few simulated requests rarely do.
So the test checks what makes collisions impossible: ids made with one worker id under
successive leases never overlap in time (all of the earlier lease's are stamped before any
of the later one's), as well as that no id repeats.
"""

import itertools
import math
from collections.abc import Coroutine
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from modules.shared_kernel.domain.snowflake import (
    EPOCH_MS,
    MAX_WORKER_ID,
    TIMESTAMP_SHIFT,
    IdsUnavailable,
    SnowflakeGenerator,
    decode,
)
from modules.shared_kernel.infrastructure.lease_table import LeaseRecord
from modules.shared_kernel.infrastructure.worker_lease import (
    CannotLeaseWorkerId,
    Grant,
    WorkerLease,
)
from tests.in_memory_lease_table import InMemoryLeaseTable

TTL_S = 3.0
RENEW_EVERY_MS = 1000  # a third of the TTL, as the service does
MAX_SKEW_MS = 100
MAX_BACKWARD_MS = 10
FREE_WORKER_IDS = 2  # for three processes: takeovers are the rule, not the exception
PINNED = [0, None, None]  # WORKER_ID of each process


def finished(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """The result of a coroutine that never waits (the in-memory table answers at once)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    raise AssertionError("the in-memory lease table never waits")


class World:
    """True time, which is the database's clock, the table it keeps, and every lease taken."""

    def __init__(self) -> None:
        self.now_ms = EPOCH_MS + 86_400_000
        self.table = InMemoryLeaseTable(clock_ms=lambda: self.now_ms)
        for worker_id in range(FREE_WORKER_IDS, MAX_WORKER_ID + 1):
            self.table.rows[worker_id] = LeaseRecord(worker_id, "immortal", 2**62)
        self.leases_taken = itertools.count()  # the order leases were recorded in


class Process:
    """One service process: its clocks, its lease, the generator it makes ids with."""

    def __init__(self, world: World, name: str, pinned: int | None) -> None:
        self.world = world
        self.wall_offset_ms = 0  # this host's clock minus the database's
        self.lease = WorkerLease(world.table, ttl_s=TTL_S, max_clock_skew_ms=MAX_SKEW_MS,
                                 holder=name, pinned=pinned, clock=self.seconds_since_boot,
                                 wall_clock_ms=self.wall_clock_ms)
        self.generator: SnowflakeGenerator | None = None
        self.generator_lease = -1  # which lease taken the generator was made for
        self.waiting: tuple[int, Grant] | None = None  # leased, waiting out its not-before

    def wall_clock_ms(self) -> int:
        return self.world.now_ms + self.wall_offset_ms

    def seconds_since_boot(self) -> float:
        """The lease's clock counts suspended time (test_worker_ids checks the real one)."""
        return self.world.now_ms / 1000

    def sleep(self, seconds: float) -> None:
        self.world.now_ms += max(1, math.ceil(seconds * 1000))

    # What worker_ids does, step by step, so that ids can be asked for between the steps.

    def lease_another(self) -> None:
        try:
            grant = finished(self.lease.acquire())
        except CannotLeaseWorkerId:
            self.waiting = None
            return
        self.waiting = (next(self.world.leases_taken), grant)

    def use_lease(self) -> None:
        assert self.waiting is not None
        (self.generator_lease, grant), self.waiting = self.waiting, None
        self.generator = SnowflakeGenerator(
            grant.worker_id, clock=self.wall_clock_ms, sleep=self.sleep,
            max_backward_ms=MAX_BACKWARD_MS, not_before_ms=grant.not_before_ms,
            permit=lambda: self.lease.held(grant),
        )

    def renew(self) -> None:
        try:
            if not finished(self.lease.renew()):
                self.lease_another()
        except CannotLeaseWorkerId:  # the clock is off: tried again at the next renewal
            pass

    def background_work(self) -> None:
        """The renewal task: renew, or use a new lease once its not-before time has passed."""
        if self.waiting is None:
            self.renew()
        elif self.wall_clock_ms() > (self.waiting[1].not_before_ms or 0):
            self.use_lease()

    def make_ids(self, count: int) -> list[int]:
        made: list[int] = []
        while self.generator is not None and len(made) < count:
            try:
                made.append(self.generator())
            except IdsUnavailable:
                break
        return made


class IdsNeverRepeat(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.world = World()
        self.started = 0
        self.processes: list[Process] = []
        self.made: dict[int, str] = {}  # id -> the process that made it
        # worker id -> lease taken -> [earliest, latest] timestamp of the ids made under it
        self.stamps: dict[int, dict[int, list[int]]] = {}

    def start_process(self, p: int) -> Process:
        """A new process in place `p`, its clock in step: it serves once its lease's
        not-before time is past (its renewal task waits that out, as after any takeover)."""
        self.started += 1
        process = Process(self.world, f"process-{self.started}", PINNED[p])
        process.lease_another()
        if process.waiting is not None:
            process.background_work()  # uses the lease unless its not-before time is ahead
        return process

    def record(self, process: Process, made: list[int]) -> None:
        for one in made:
            earlier = self.made.get(one)
            assert earlier is None, f"{decode(one)} made by {process.lease.holder} and {earlier}"
            self.made[one] = process.lease.holder
            self.check_leases_do_not_overlap(decode(one).worker_id, process.generator_lease,
                                             one >> TIMESTAMP_SHIFT)

    def check_leases_do_not_overlap(self, worker_id: int, taken: int, stamp: int) -> None:
        """`taken` numbers the leases in the order the table recorded them."""
        by_lease = self.stamps.setdefault(worker_id, {})
        span = by_lease.setdefault(taken, [stamp, stamp])
        span[0], span[1] = min(span[0], stamp), max(span[1], stamp)
        for other, (first, last) in by_lease.items():
            if other < taken:
                assert last < span[0], f"worker id {worker_id}: lease {other} after {taken}"
            elif other > taken:
                assert span[1] < first, f"worker id {worker_id}: lease {taken} after {other}"

    @initialize()
    def start(self) -> None:
        self.processes = [self.start_process(p) for p in range(len(PINNED))]

    which = st.integers(0, len(PINNED) - 1)

    @rule(p=which, count=st.integers(1, 5))
    def make_ids(self, p: int, count: int) -> None:
        self.record(self.processes[p], self.processes[p].make_ids(count))

    @rule(ms=st.one_of(st.integers(0, 300), st.sampled_from([1000, 2500, 3101]),
                       st.integers(0, 6000)),
          paused=st.frozensets(which))
    def time_passes(self, ms: int, paused: frozenset[int]) -> None:
        """Processes not paused serve requests (an id before and after their background work),
        renew their leases, and start using a new lease once its not-before time has passed;
        paused ones (GC, SIGSTOP, a stalled VM) do nothing."""
        while ms > 0:
            tick = min(ms, RENEW_EVERY_MS)
            self.world.now_ms += tick
            ms -= tick
            for p, process in enumerate(self.processes):
                if p not in paused:
                    self.record(process, process.make_ids(1))
                    process.background_work()
                    self.record(process, process.make_ids(1))

    @rule(p=which, ms=st.integers(1, 10_000))
    def host_suspended(self, p: int, ms: int) -> None:
        """The host sleeps; on waking its wall clock is behind by as long as it slept."""
        self.time_passes(ms, paused=frozenset([p]))
        self.processes[p].wall_offset_ms -= ms

    @rule(p=which, off_ms=st.one_of(st.just(0), st.integers(-10_000, 10_000)))
    def clock_set(self, p: int, off_ms: int) -> None:
        """NTP or an operator steps the wall clock: it now reads `off_ms` off the database's,
        possibly far past the allowed skew (0: back in step)."""
        self.processes[p].wall_offset_ms = off_ms

    @rule(p=which, cleanly=st.booleans())
    def restarted(self, p: int, cleanly: bool) -> None:
        """Stopped (releasing its lease) or crashed (leaving it to run out), then started."""
        stopping = self.processes[p]
        if cleanly:
            last_stamp = stopping.generator.last_stamp_ms if stopping.generator else lambda: None
            finished(stopping.lease.release(last_stamp))
        self.processes[p] = self.start_process(p)


IdsNeverRepeat.TestCase.settings = settings(max_examples=400, stateful_step_count=50,
                                            deadline=None)
test_ids_never_repeat = IdsNeverRepeat.TestCase
