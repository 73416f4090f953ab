"""Who listens to which domain event. Modules subscribe; the outbox delivers.

A listener is a plain async function `handler(unit_of_work, event)`, like a use case. Its name
is stored with every publication ("module.reaction": rename one only with a migration). The
handler and the unit of work are looked up at each delivery, through providers, so a test
that overrides a provider changes what handles the event.

An *outbound* listener hands events to another system (a broker) instead of changing this
one; see `Listener.outbound`.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

from modules.shared_kernel.application.publications import subscriber_of
from modules.shared_kernel.application.unit_of_work import UnitOfWork
from modules.shared_kernel.domain.events import DomainEvent

Handler = Callable[[Any, Any], Awaitable[None]]


class CompletingUnitOfWork(UnitOfWork, Protocol):
    """A subscriber's unit of work made for one delivery: `completed` once a commit has
    marked the publication complete."""

    completed: bool


class UnknownListener(LookupError):
    pass


@dataclass(frozen=True)
class Listener:
    name: str
    event_type: type[DomainEvent]
    handler: Callable[[], Handler]
    # The subscriber's unit of work; its commit completes the publication being delivered
    # (passed in), so the effect and the completion stand or fall together.
    unit_of_work: Callable[..., CompletingUnitOfWork]
    # Outbound (the broker's listeners): what leaves the process must leave in order, and
    # nothing here can make a late one harmless (no sequence check runs on the other side of
    # the wire). So its publications are recorded unclaimed and only the relay takes them,
    # each stream strictly oldest first; they are never given up on (that would let the
    # stream go on without one); and the handler is given the whole Publication, whose id
    # becomes the message id, as `handler(unit_of_work, publication)`.
    outbound: bool = False

    @cached_property
    def subscriber(self) -> str:
        return subscriber_of(self.name)


class Listeners:
    def __init__(self) -> None:
        self._by_name: dict[str, Listener] = {}

    def subscribe(self, listener: Listener) -> None:
        if listener.name in self._by_name:
            raise ValueError(f"listener {listener.name!r} is subscribed already")
        self._by_name[listener.name] = listener

    def of(self, event_type: type[DomainEvent]) -> list[Listener]:
        return [listener for listener in self._by_name.values()
                if listener.event_type is event_type]

    def named(self, name: str) -> Listener:
        try:
            return self._by_name[name]
        except KeyError:
            raise UnknownListener(f"no listener named {name!r} is subscribed") from None

    def event_type(self, name: str) -> type[DomainEvent]:
        for listener in self._by_name.values():
            if listener.event_type.__name__ == name:
                return listener.event_type
        raise UnknownListener(f"no listener takes events of type {name!r}")

    def all(self) -> list[Listener]:
        return list(self._by_name.values())
