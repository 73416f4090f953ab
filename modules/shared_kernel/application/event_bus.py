"""Who listens to which domain event: the modules subscribe, the outbox delivers.

A listener has a stable name (it is stored with every publication) and a subscriber: a factory
(a dependency-injector provider, typically) that makes the handler when an event arrives, so a
test that overrides the provider changes what handles the event.
"""

from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

from modules.shared_kernel.domain.events import DomainEvent

Handler = Callable[[Any], Awaitable[None]]
Subscriber = Callable[[], Handler]


class UnknownListener(LookupError):
    pass


class EventBus:
    def __init__(self) -> None:
        self._listeners: dict[type[DomainEvent], list[str]] = defaultdict(list)
        self._subscribers: dict[str, Subscriber] = {}
        self._event_types: dict[str, type[DomainEvent]] = {}

    def subscribe(self, event_type: type[DomainEvent], listener: str,
                  subscriber: Subscriber) -> None:
        if listener in self._subscribers:
            raise ValueError(f"listener {listener!r} is subscribed already")
        self._listeners[event_type].append(listener)
        self._subscribers[listener] = subscriber
        self._event_types[event_type.__name__] = event_type

    def listeners(self, event_type: type[DomainEvent]) -> list[str]:
        return list(self._listeners.get(event_type, ()))

    def handler(self, listener: str) -> Handler:
        try:
            return self._subscribers[listener]()
        except KeyError:
            raise UnknownListener(f"no listener named {listener!r} is subscribed") from None

    def event_type(self, name: str) -> type[DomainEvent]:
        try:
            return self._event_types[name]
        except KeyError:
            raise UnknownListener(f"no listener takes events of type {name!r}") from None

    def subscriptions(self) -> dict[type[DomainEvent], list[str]]:
        return {kind: list(names) for kind, names in self._listeners.items()}
