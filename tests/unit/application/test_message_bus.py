"""The message bus: the use case's answer, then delivery of what its commits published."""

from collections.abc import Sequence

import pytest

from modules.shared_kernel.application.message_bus import MessageBus
from modules.shared_kernel.application.publications import Publication
from modules.shared_kernel.domain.events import DomainEvent
from tests.fakes.catalogue import InMemoryCatalogue
from tests.fakes.unit_of_work import FakeBookUnitOfWork

ONE = Publication(id=1, listener="author.credit_book", event=DomainEvent(), aggregate_id=7,
                  attempts=0, created_at_ms=0)


class Delivered(list[Publication]):
    async def __call__(self, published: Sequence[Publication]) -> None:
        self.extend(published)


async def test_what_a_use_case_committed_is_delivered_after_it_returns() -> None:
    delivered = Delivered()
    bus = MessageBus(lambda: FakeBookUnitOfWork(InMemoryCatalogue()), delivered)

    async def use_case(uow: FakeBookUnitOfWork, answer: int) -> int:
        uow.published.append(ONE)
        assert delivered == []  # not yet: the use case has not returned
        return answer

    assert await bus.run(use_case, 42) == 42
    assert delivered == [ONE]


async def test_a_use_case_that_committed_and_then_failed_still_has_its_events_delivered() -> None:
    delivered = Delivered()
    bus = MessageBus(lambda: FakeBookUnitOfWork(InMemoryCatalogue()), delivered)

    async def use_case(uow: FakeBookUnitOfWork) -> None:
        uow.published.append(ONE)
        raise LookupError("after the commit")

    with pytest.raises(LookupError):
        await bus.run(use_case)
    assert delivered == [ONE]


async def test_nothing_is_delivered_when_nothing_was_committed() -> None:
    delivered = Delivered()
    bus = MessageBus(lambda: FakeBookUnitOfWork(InMemoryCatalogue()), delivered)

    async def use_case(uow: FakeBookUnitOfWork) -> None:
        pass

    await bus.run(use_case)
    assert delivered == []
