"""The events the Author module listens to, and which of its handlers takes each."""

from dependency_injector import providers

from modules.author.container import AuthorContainer
from modules.book.domain.events import AuthorAddedToBook, AuthorRemovedFromBook, BookDeleted
from modules.shared_kernel.application.event_bus import EventBus


def subscribe(
    bus: EventBus, author: AuthorContainer | providers.Container[AuthorContainer]
) -> None:
    # The names are stored with every publication: rename one only with a migration.
    bus.subscribe(AuthorAddedToBook, "author.credit_book", author.credit_book)
    bus.subscribe(AuthorRemovedFromBook, "author.uncredit_book", author.uncredit_book)
    bus.subscribe(BookDeleted, "author.forget_deleted_book", author.forget_deleted_book)
