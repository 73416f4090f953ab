"""Delivery in the test's own hands: what the message bus hands over after a commit is
delivered to the listeners at once, on fake units of work, like EventDelivery does on the
database (a listener's commit completes its publication)."""

from collections.abc import Sequence

from modules.author.subscriptions import subscribe
from modules.container import ApplicationContainer
from modules.shared_kernel.application.message_bus import MessageBus
from modules.shared_kernel.application.publications import Publication
from tests.fakes.catalogue import InMemoryCatalogue
from tests.fakes.unit_of_work import FakeAuthorUnitOfWork, FakeBookUnitOfWork


class InProcessDelivery:
    def __init__(self, catalogue: InMemoryCatalogue, *, at_once: bool = True) -> None:
        self.catalogue = catalogue
        self.at_once = at_once  # False: keep them for the test to deliver, in any order

    async def __call__(self, published: Sequence[Publication]) -> None:
        if self.at_once:
            for publication in published:
                await self.deliver(publication)

    async def deliver(self, publication: Publication) -> None:
        listener = self.catalogue.listeners.named(publication.listener)
        uow = FakeAuthorUnitOfWork(self.catalogue, completing=publication.id)
        await listener.handler()(uow, publication.event)

    async def drain(self) -> None:
        for publication in self.catalogue.open_publications():
            await self.deliver(publication)


def wired(catalogue: InMemoryCatalogue, delivery: InProcessDelivery
          ) -> tuple[MessageBus[FakeBookUnitOfWork], MessageBus[FakeAuthorUnitOfWork]]:
    """The two modules' buses over the catalogue, with the Author module's real listeners
    subscribed as the application container subscribes them."""
    container = ApplicationContainer()
    subscribe(catalogue.listeners, container.author)
    books = MessageBus(lambda: FakeBookUnitOfWork(catalogue), delivery)
    authors = MessageBus(lambda: FakeAuthorUnitOfWork(catalogue), delivery)
    return books, authors
