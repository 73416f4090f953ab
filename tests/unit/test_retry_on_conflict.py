import random

import pytest

from modules.shared_kernel.application.retry import (
    ATTEMPTS,
    lost_races_watched,
    retry_on_conflict,
)
from modules.shared_kernel.domain.errors import ConcurrentChange, NotFound


class Flaky:
    """Loses `losses` races, then succeeds."""

    def __init__(self, losses: int, error: Exception | None = None) -> None:
        self.losses = losses
        self.calls: list[tuple[tuple[object, ...], dict[str, object]]] = []
        self.error = error or ConcurrentChange()

    async def __call__(self, *args: object, **kwargs: object) -> str:
        self.calls.append((args, kwargs))
        if len(self.calls) <= self.losses:
            raise self.error
        return "done"


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[tuple[float, float]]:
    """The range each wait between attempts is drawn from; the waits themselves take 0 s."""
    ranges: list[tuple[float, float]] = []

    def uniform(low: float, high: float) -> float:
        ranges.append((low, high))
        return 0.0

    monkeypatch.setattr(random, "uniform", uniform)
    return ranges


async def test_a_lost_race_is_tried_again_until_it_succeeds() -> None:
    attempt = Flaky(losses=3)

    assert await retry_on_conflict(attempt) == "done"
    assert len(attempt.calls) == 4


async def test_it_gives_up_after_the_last_attempt(waits) -> None:  # type: ignore[no-untyped-def]
    attempt = Flaky(losses=ATTEMPTS + 1)

    with pytest.raises(ConcurrentChange):
        await retry_on_conflict(attempt)
    assert len(attempt.calls) == ATTEMPTS


async def test_the_last_attempt_may_still_succeed(waits) -> None:  # type: ignore[no-untyped-def]
    assert await retry_on_conflict(Flaky(losses=ATTEMPTS - 1)) == "done"


async def test_every_attempt_is_called_with_the_arguments_given(waits) -> None:  # type: ignore[no-untyped-def]
    attempt = Flaky(losses=ATTEMPTS - 1)

    await retry_on_conflict(attempt, "uow", 7, book_id=3)

    assert attempt.calls == [(("uow", 7), {"book_id": 3})] * ATTEMPTS


async def test_each_wait_is_drawn_from_zero_up_to_a_bound_doubling_from_4_to_200_ms(
        waits) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConcurrentChange):
        await retry_on_conflict(Flaky(losses=ATTEMPTS))

    bounds_s = [0.004, 0.008, 0.016, 0.032, 0.064, 0.128] + [0.2] * (ATTEMPTS - 7)
    assert waits == [(0, bound) for bound in bounds_s]


async def test_other_errors_are_not_retried() -> None:
    attempt = Flaky(losses=1, error=NotFound("gone"))

    with pytest.raises(NotFound):
        await retry_on_conflict(attempt)
    assert len(attempt.calls) == 1


async def test_watchers_are_told_of_each_race_run_again_by_the_operation_s_file_name(
        waits) -> None:  # type: ignore[no-untyped-def]
    told: list[str] = []

    with lost_races_watched(told.append), pytest.raises(ConcurrentChange):
        await retry_on_conflict(Flaky(losses=ATTEMPTS))

    # The last race lost is the caller's, not run again: not told.
    assert told == ["test_retry_on_conflict"] * (ATTEMPTS - 1)


async def test_a_race_won_at_once_tells_nobody_and_watching_ends_with_its_block(
        waits) -> None:  # type: ignore[no-untyped-def]
    told: list[str] = []
    with lost_races_watched(told.append):
        await retry_on_conflict(Flaky(losses=0))
    await retry_on_conflict(Flaky(losses=2))

    assert told == []
