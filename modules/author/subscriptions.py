"""The events the Author module listens to, and which of its handlers takes each."""

from dependency_injector import providers

from modules.author.container import AuthorContainer
from modules.book.domain.events import AuthorAddedToBook, AuthorRemovedFromBook, BookDeleted
from modules.shared_kernel.application.listeners import Listener, Listeners


def subscribe(
    listeners: Listeners, author: AuthorContainer | providers.Container[AuthorContainer]
) -> None:
    # The names are stored with every publication: rename one only with a migration.
    for name, event_type, handler in (
        ("author.credit_book", AuthorAddedToBook, author.credit_book),
        ("author.uncredit_book", AuthorRemovedFromBook, author.uncredit_book),
        ("author.forget_deleted_book", BookDeleted, author.forget_deleted_book),
    ):
        listeners.subscribe(Listener(name, event_type, handler=handler,
                                     unit_of_work=author.unit_of_work))
