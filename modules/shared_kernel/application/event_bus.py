"""In-process delivery of domain events to the handlers other modules subscribed.

A subscriber is a factory (a dependency-injector provider, typically) that makes the handler
when an event arrives, so a test that overrides the provider changes what handles the event.
"""

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from modules.shared_kernel.application.retry import retry_on_conflict
from modules.shared_kernel.domain.events import DomainEvent

Handler = Callable[[Any], Awaitable[None]]
Subscriber = Callable[[], Handler]

log = logging.getLogger(__name__)


class EventBus:
    def __init__(self) -> None:
        self._subscribers: dict[type[DomainEvent], list[Subscriber]] = defaultdict(list)

    def subscribe(self, event_type: type[DomainEvent], subscriber: Subscriber) -> None:
        self._subscribers[event_type].append(subscriber)

    def subscriptions(self) -> dict[type[DomainEvent], tuple[Subscriber, ...]]:
        return {kind: tuple(subs) for kind, subs in self._subscribers.items()}

    async def publish(self, events: Iterable[DomainEvent]) -> None:
        """Deliver each event to each subscriber, in order, after the sender has committed.

        A handler that loses an optimistic-locking race is run again (handlers are
        idempotent). One that fails otherwise is logged and does not stop the others: the
        sender's change is already committed and stands. (Retrying those is the outbox's job.)
        """
        for event in events:
            for subscriber in self._subscribers.get(type(event), ()):
                try:
                    await retry_on_conflict(lambda: subscriber()(event))  # noqa: B023
                except Exception:
                    log.exception("handler for %s failed", type(event).__name__)


Publish = Callable[[Sequence[DomainEvent]], Awaitable[None]]
