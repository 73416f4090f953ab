"""Use cases and listeners on the in-memory catalogue: no database, milliseconds a test."""

import pytest

from modules.shared_kernel.application.message_bus import MessageBus
from tests.fakes.catalogue import InMemoryCatalogue
from tests.fakes.delivery import InProcessDelivery, wired
from tests.fakes.unit_of_work import FakeAuthorDirectory, FakeAuthorUnitOfWork, FakeBookUnitOfWork


@pytest.fixture
def catalogue() -> InMemoryCatalogue:
    return InMemoryCatalogue()


@pytest.fixture
def delivery(catalogue: InMemoryCatalogue) -> InProcessDelivery:
    return InProcessDelivery(catalogue)


@pytest.fixture
def buses(catalogue: InMemoryCatalogue, delivery: InProcessDelivery
          ) -> tuple[MessageBus[FakeBookUnitOfWork], MessageBus[FakeAuthorUnitOfWork]]:
    return wired(catalogue, delivery)


@pytest.fixture
def book_bus(buses) -> MessageBus[FakeBookUnitOfWork]:  # type: ignore[no-untyped-def]
    return buses[0]


@pytest.fixture
def author_bus(buses) -> MessageBus[FakeAuthorUnitOfWork]:  # type: ignore[no-untyped-def]
    return buses[1]


@pytest.fixture
def directory(catalogue: InMemoryCatalogue) -> FakeAuthorDirectory:
    return FakeAuthorDirectory(catalogue)
