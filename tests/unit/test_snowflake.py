import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from modules.shared_kernel.domain.snowflake import (
    EPOCH_MS,
    MAX_ID,
    MAX_SEQUENCE,
    MAX_TIMESTAMP,
    MAX_WORKER_ID,
    TIMESTAMP_SHIFT,
    ClockMovedBackwards,
    IdsUnavailable,
    SnowflakeGenerator,
    SnowflakeParts,
    WorkerIdNotHeld,
    compose,
    current_generator,
    current_worker_id,
    decode,
    next_id,
    use_generator,
    use_worker,
)

timestamps = st.integers(0, MAX_TIMESTAMP)
workers = st.integers(0, MAX_WORKER_ID)
sequences = st.integers(0, MAX_SEQUENCE)
START_MS = EPOCH_MS + 1_000


class FakeClock:
    """Milliseconds that move only when told to, or when the generator sleeps."""

    def __init__(self, ms: int = START_MS) -> None:
        self.ms = ms
        self.sleeps: list[float] = []

    def __call__(self) -> int:
        return self.ms

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.ms += max(1, round(seconds * 1000))


def generator(clock: FakeClock, worker_id: int = 1) -> SnowflakeGenerator:
    """On the fake clock, with the default tolerance of a step back (10 ms)."""
    return SnowflakeGenerator(worker_id, clock=clock, sleep=clock.sleep)


def created_at(snowflake: int) -> datetime:
    return decode(snowflake).created_at


def at(epoch_ms: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=epoch_ms)


# compose and decode


@given(timestamps, workers, sequences)
def test_decode_reads_back_what_compose_packed(t: int, w: int, s: int) -> None:
    assume((t, w, s) != (0, 0, 0))  # compose gives 0 there, which decode refuses
    assert decode(compose(t, w, s)) == SnowflakeParts(at(EPOCH_MS + t), w, s)


@given(timestamps, workers, sequences)
def test_worker_and_sequence_fill_the_bits_below_the_timestamp(t: int, w: int, s: int) -> None:
    assert compose(t, 0, 0) | compose(0, w, s) == compose(t, w, s)


@given(timestamps, workers, sequences)
def test_worker_and_sequence_never_touch_the_timestamp_bits(t: int, w: int, s: int) -> None:
    assert compose(t, 0, 0) & compose(0, w, s) == 0


def test_the_largest_fields_make_the_largest_positive_bigint() -> None:
    assert compose(MAX_TIMESTAMP, MAX_WORKER_ID, MAX_SEQUENCE) == MAX_ID == 2**63 - 1


@pytest.mark.parametrize(
    ("t", "w", "s"),
    [(-1, 0, 0), (MAX_TIMESTAMP + 1, 0, 0), (0, -1, 0), (0, 1024, 0), (0, 0, -1), (0, 0, 4096)],
)
def test_compose_rejects_a_field_out_of_range(t: int, w: int, s: int) -> None:
    with pytest.raises(ValueError, match=r"out of range|must be"):
        compose(t, w, s)


@pytest.mark.parametrize(("snowflake", "parts"), [
    (1, SnowflakeParts(at(EPOCH_MS), 0, 1)),
    (MAX_ID, SnowflakeParts(at(EPOCH_MS + MAX_TIMESTAMP), MAX_WORKER_ID, MAX_SEQUENCE)),
])
def test_decode_reads_the_smallest_and_the_largest_id(snowflake: int,
                                                      parts: SnowflakeParts) -> None:
    assert decode(snowflake) == parts


@pytest.mark.parametrize("snowflake", [0, -1, 2**63])
def test_decode_rejects_what_is_not_a_positive_bigint(snowflake: int) -> None:
    with pytest.raises(ValueError, match="not a snowflake"):
        decode(snowflake)


# the generator, on a fake clock


@given(st.integers(1, MAX_TIMESTAMP), workers)
def test_generated_ids_are_positive_bigints(t: int, worker_id: int) -> None:
    assert 0 < generator(FakeClock(EPOCH_MS + t), worker_id)() < 2**63


def test_generated_ids_carry_the_worker_id() -> None:
    assert decode(generator(FakeClock(), worker_id=513)()).worker_id == 513


def test_a_clock_at_the_epoch_makes_the_first_id_of_all_time() -> None:
    assert decode(generator(FakeClock(EPOCH_MS))()) == SnowflakeParts(at(EPOCH_MS), 1, 0)


def test_the_last_millisecond_of_the_41_bits_still_makes_ids() -> None:
    last = generator(FakeClock(EPOCH_MS + MAX_TIMESTAMP))()
    assert created_at(last) == at(EPOCH_MS + MAX_TIMESTAMP)


def test_after_the_last_millisecond_of_the_41_bits_no_id_is_made() -> None:
    with pytest.raises(IdsUnavailable) as refused:
        generator(FakeClock(EPOCH_MS + MAX_TIMESTAMP + 1))()
    assert str(refused.value) == "the 41-bit timestamp has run out (September 2095)"


@given(st.lists(st.integers(0, 3), min_size=1, max_size=200))
def test_ids_strictly_increase_while_the_clock_stays_or_advances(steps: list[int]) -> None:
    clock = FakeClock()
    make = generator(clock)
    ids = []
    for step in steps:
        clock.ms += step
        ids.append(make())
    assert all(earlier < later for earlier, later in pairwise(ids))


def ids_in_one_millisecond(count: int) -> list[int]:
    clock = FakeClock()
    make = generator(clock)
    return [make() for _ in range(count)]


def test_one_millisecond_holds_4096_ids_numbered_0_to_4095() -> None:
    ids = ids_in_one_millisecond(4096)
    assert [decode(i) for i in ids] == [SnowflakeParts(at(START_MS), 1, s) for s in range(4096)]


def test_the_4097th_id_in_a_millisecond_waits_for_the_next_one() -> None:
    assert created_at(ids_in_one_millisecond(4097)[-1]) == at(START_MS + 1)


def test_the_4097th_id_in_a_millisecond_restarts_the_sequence() -> None:
    assert decode(ids_in_one_millisecond(4097)[-1]).sequence == 0


def test_the_4097th_id_in_a_millisecond_is_larger_than_all_before() -> None:
    *before, last = ids_in_one_millisecond(4097)
    assert last > max(before)


@pytest.mark.parametrize("back_ms", [1, 5, 10])
def test_a_small_step_back_of_the_clock_is_waited_out(back_ms: int) -> None:
    clock = FakeClock()
    make = generator(clock)
    make()
    clock.ms -= back_ms
    make()
    assert clock.sleeps


@pytest.mark.parametrize("back_ms", [1, 5, 10])
def test_after_a_small_step_back_ids_still_increase(back_ms: int) -> None:
    clock = FakeClock()
    make = generator(clock)
    first = make()
    clock.ms -= back_ms
    assert make() > first


def test_a_larger_step_back_of_the_clock_is_refused() -> None:
    clock = FakeClock()
    make = generator(clock)
    make()
    clock.ms -= 11
    with pytest.raises(ClockMovedBackwards) as refused:
        make()
    assert str(refused.value) == ("the clock moved back 11 ms (more than 10 ms); "
                                  "refusing to make ids that could repeat")


def test_a_large_step_back_while_waiting_for_the_next_millisecond_is_refused() -> None:
    clock = FakeClock()

    def sleep_while_the_clock_is_set_back_an_hour(seconds: float) -> None:
        clock.sleep(seconds)
        clock.ms -= 3_600_000

    make = SnowflakeGenerator(1, clock=clock, sleep=sleep_while_the_clock_is_set_back_an_hour,
                              max_backward_ms=10)
    for _ in range(MAX_SEQUENCE + 1):
        make()

    with pytest.raises(ClockMovedBackwards):
        make()  # the 4097th id waits for the next millisecond; it must not wait an hour


def test_a_clock_before_the_epoch_is_refused() -> None:
    with pytest.raises(ClockMovedBackwards) as refused:
        generator(FakeClock(EPOCH_MS - 1))()
    assert str(refused.value) == "the clock reads a time before the snowflake epoch"


@pytest.mark.parametrize("worker_id", [0, 1023])
def test_a_worker_id_from_0_to_1023_is_accepted(worker_id: int) -> None:
    assert SnowflakeGenerator(worker_id).worker_id == worker_id


@pytest.mark.parametrize("worker_id", [-1, 1024])
def test_a_worker_id_outside_0_to_1023_is_refused(worker_id: int) -> None:
    with pytest.raises(ValueError, match="worker id"):
        SnowflakeGenerator(worker_id)


# the generator, on the real clock


def test_ids_made_by_threads_sharing_a_generator_are_all_distinct() -> None:
    make = SnowflakeGenerator(worker_id=7)
    batches: list[list[int]] = [[] for _ in range(4)]

    def fill(batch: list[int]) -> None:
        batch.extend(make() for _ in range(5000))

    threads = [threading.Thread(target=fill, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({i for batch in batches for i in batch}) == 20_000


def test_no_id_is_stamped_at_or_before_the_not_before_time() -> None:
    clock = FakeClock()
    make = SnowflakeGenerator(1, clock=clock, sleep=clock.sleep, not_before_ms=clock.ms)

    first = make()

    assert decode(first).created_at > datetime.fromtimestamp(START_MS / 1000, tz=UTC)


def test_ids_wait_for_a_not_before_time_slightly_ahead() -> None:
    clock = FakeClock()
    make = SnowflakeGenerator(1, clock=clock, sleep=clock.sleep, not_before_ms=clock.ms + 5)

    stamped = created_at(make())

    assert stamped > datetime.fromtimestamp((START_MS + 5) / 1000, tz=UTC)


def test_a_wait_sleeps_exactly_the_milliseconds_to_wait_out() -> None:
    clock = FakeClock()
    make = SnowflakeGenerator(1, clock=clock, sleep=clock.sleep, not_before_ms=clock.ms + 5)

    make()

    # 5 ms to the not-before time, then 1 ms past it (an id there may have been made).
    assert clock.sleeps == [0.005, 0.001]


def test_no_id_is_made_without_the_permit() -> None:
    allowed = [True]
    make = SnowflakeGenerator(1, clock=FakeClock(), permit=lambda: allowed[0])
    make()

    allowed[0] = False

    with pytest.raises(WorkerIdNotHeld) as refused:
        make()
    assert str(refused.value) == ("the lease on worker id 1 is not confirmed; "
                                  "no ids until it is renewed")


# the process's generator


@pytest.fixture
def process_generator() -> Iterator[None]:
    """Whatever made this process's ids before the test makes them again after it."""
    previous = current_generator()
    yield
    use_generator(previous)


def test_use_worker_makes_the_processs_ids_with_that_worker_id(process_generator) -> None:  # type: ignore[no-untyped-def]
    use_worker(42, max_backward_ms=10)

    assert (current_worker_id(), decode(next_id()).worker_id) == (42, 42)


def test_use_worker_passes_the_permit_on(process_generator) -> None:  # type: ignore[no-untyped-def]
    use_worker(42, max_backward_ms=10, permit=lambda: False)

    with pytest.raises(WorkerIdNotHeld):
        next_id()


def test_use_worker_waits_out_a_not_before_time_within_its_tolerance(process_generator) -> None:  # type: ignore[no-untyped-def]
    # 30 ms ahead: more than the generator's default tolerance of 10 ms, less than this one.
    not_before_ms = time.time_ns() // 1_000_000 + 30
    use_worker(42, max_backward_ms=1_000, not_before_ms=not_before_ms)

    assert created_at(next_id()) > at(not_before_ms)


def test_the_last_stamp_is_when_the_latest_id_was_made() -> None:
    clock = FakeClock()
    make = generator(clock)
    make()
    clock.ms += 7

    latest = make()

    assert make.last_stamp_ms() == START_MS + 7 == EPOCH_MS + (latest >> TIMESTAMP_SHIFT)


def test_before_any_id_the_last_stamp_is_the_not_before_time() -> None:
    assert SnowflakeGenerator(1, not_before_ms=START_MS).last_stamp_ms() == START_MS
    assert SnowflakeGenerator(1).last_stamp_ms() is None


def test_the_permit_is_asked_after_the_clock_is_read() -> None:
    clock, allowed = FakeClock(), [True]

    def clock_read_then_paused_until_the_lease_is_lost() -> int:
        reading = clock()
        allowed[0] = False  # a stop-the-world pause right here, longer than the lease
        return reading

    make = SnowflakeGenerator(1, clock=clock_read_then_paused_until_the_lease_is_lost,
                              permit=lambda: allowed[0])

    with pytest.raises(WorkerIdNotHeld):
        make()  # its stamp may be later than the lease allowed
