import pytest

from modules.shared_kernel.application.retry import retry_on_conflict
from modules.shared_kernel.domain.errors import ConcurrentChange, NotFound


class Flaky:
    """Loses `losses` races, then succeeds."""

    def __init__(self, losses: int, error: Exception | None = None) -> None:
        self.losses = losses
        self.calls = 0
        self.error = error or ConcurrentChange()

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.losses:
            raise self.error
        return "done"


async def test_a_lost_race_is_tried_again_until_it_succeeds() -> None:
    attempt = Flaky(losses=3)

    assert await retry_on_conflict(attempt) == "done"
    assert attempt.calls == 4


async def test_it_gives_up_after_the_last_attempt() -> None:
    attempt = Flaky(losses=10)

    with pytest.raises(ConcurrentChange):
        await retry_on_conflict(attempt, attempts=3)
    assert attempt.calls == 3


async def test_other_errors_are_not_retried() -> None:
    attempt = Flaky(losses=1, error=NotFound("gone"))

    with pytest.raises(NotFound):
        await retry_on_conflict(attempt)
    assert attempt.calls == 1
