"""Domain events become integration events here, and only here: the domain event may change
(a field renamed, an id type changed) without a consumer noticing, as long as this mapping
still fills the published schema."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from modules.book.domain.events import AuthorAddedToBook, AuthorRemovedFromBook, BookDeleted
from modules.book.integration_events.contract import (
    AUTHOR_ADDED_TO_BOOK,
    AUTHOR_REMOVED_FROM_BOOK,
    BOOK_DELETED,
    IntegrationEvent,
)
from modules.shared_kernel.domain.events import DomainEvent

Fields = Callable[[Any], dict[str, Any]]

# Every Book event, and how it is published. A new Book event is published only once it is
# named here (a test fails until it is).
PUBLISHED_AS: dict[type[DomainEvent], tuple[IntegrationEvent, Fields]] = {
    AuthorAddedToBook: (AUTHOR_ADDED_TO_BOOK, lambda e: {"author_id": str(e.author_id)}),
    AuthorRemovedFromBook: (AUTHOR_REMOVED_FROM_BOOK, lambda e: {"author_id": str(e.author_id)}),
    BookDeleted: (BOOK_DELETED, lambda e: {"author_ids": [str(a) for a in e.author_ids]}),
}


def integration_event_of(event: DomainEvent, event_id: int,
                         occurred_at_ms: int) -> tuple[IntegrationEvent, dict[str, Any]]:
    """The integration event `event` is published as, and its message. `event_id` is unique
    per event and becomes the message id; `occurred_at_ms` is when it was committed."""
    kind, fields = PUBLISHED_AS[type(event)]
    return kind, {
        "type": kind.name, "version": kind.version, "event_id": str(event_id),
        **_of_the_book(event), "occurred_at": _utc_text(occurred_at_ms), **fields(event),
    }


def _of_the_book(event: Any) -> dict[str, Any]:
    """What every Book event carries: the aggregate and its event number."""
    return {"book_id": str(event.book_id), "sequence": event.sequence}


def _utc_text(epoch_ms: int) -> str:
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"
