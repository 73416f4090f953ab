"""An event on its way to one listener: what the outbox stores, claims and delivers."""

from dataclasses import dataclass
from functools import cached_property

from modules.shared_kernel.domain.events import DomainEvent


@dataclass(frozen=True)
class Publication:
    id: int
    listener: str  # "module.reaction", e.g. "author.credit_book"
    event: DomainEvent
    aggregate_id: int
    attempts: int
    created_at_ms: int  # when the sender committed it (the database's clock): when it happened
    # The W3C traceparent of the request that recorded it: its delivery continues that trace.
    trace_context: str | None = None
    request_id: str | None = None  # that request's, for the delivery's logs and reports

    @cached_property
    def subscriber(self) -> str:
        """The listener's module: one aggregate's publications reach it in order."""
        return subscriber_of(self.listener)


def subscriber_of(listener: str) -> str:
    """The module of a listener named "module.reaction"."""
    return listener.partition(".")[0]


class AlreadyDelivered(Exception):
    """Another deliverer completed this publication first; this attempt's effect is undone."""
