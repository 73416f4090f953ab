"""Who listens to which event: the registry the outbox looks listeners up in."""

import pytest

from modules.book.domain.events import AuthorAddedToBook, BookDeleted
from modules.shared_kernel.application.listeners import Listener, Listeners, UnknownListener
from modules.shared_kernel.application.publications import subscriber_of
from tests.fakes.catalogue import InMemoryCatalogue
from tests.fakes.unit_of_work import FakeAuthorUnitOfWork


async def nothing(uow: object, event: object) -> None:
    pass


def listener(name: str, event_type: type = AuthorAddedToBook) -> Listener:
    return Listener(name, event_type, handler=lambda: nothing,
                    unit_of_work=lambda: FakeAuthorUnitOfWork(InMemoryCatalogue()))


@pytest.fixture
def listeners() -> Listeners:
    registry = Listeners()
    registry.subscribe(listener("author.credit_book"))
    registry.subscribe(listener("author.forget_deleted_book", BookDeleted))
    return registry


def test_all_lists_every_listener_in_the_order_subscribed(listeners: Listeners) -> None:
    assert [each.name for each in listeners.all()] == [
        "author.credit_book", "author.forget_deleted_book"]


def test_a_listener_is_found_by_its_name(listeners: Listeners) -> None:
    assert listeners.named("author.forget_deleted_book").event_type is BookDeleted


def test_an_unknown_listener_name_is_refused(listeners: Listeners) -> None:
    with pytest.raises(UnknownListener) as refused:
        listeners.named("author.gone")
    assert str(refused.value) == "no listener named 'author.gone' is subscribed"


def test_a_listener_name_is_subscribed_once(listeners: Listeners) -> None:
    with pytest.raises(ValueError, match=r"^listener 'author\.credit_book' is subscribed already$"):
        listeners.subscribe(listener("author.credit_book", BookDeleted))


def test_an_event_type_is_found_by_its_name(listeners: Listeners) -> None:
    assert listeners.event_type("BookDeleted") is BookDeleted


def test_an_event_type_no_listener_takes_is_refused(listeners: Listeners) -> None:
    with pytest.raises(UnknownListener) as refused:
        listeners.event_type("AuthorRemovedFromBook")
    assert str(refused.value) == "no listener takes events of type 'AuthorRemovedFromBook'"


def test_a_listeners_subscriber_is_the_module_before_the_first_dot() -> None:
    assert subscriber_of("author.credit_book.v2") == "author"
