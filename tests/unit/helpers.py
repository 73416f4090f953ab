"""Assertions shared by the unit tests."""

from typing import Any

from modules.shared_kernel.domain.events import Aggregate, DomainEvent


def assert_published(event_type: type[DomainEvent], aggregate: Aggregate, **fields: Any) -> None:
    """The aggregate recorded an event of `event_type` whose fields equal `fields`."""
    recorded = aggregate.recorded_events
    for event in recorded:
        if isinstance(event, event_type) and all(
            getattr(event, name, object()) == value for name, value in fields.items()
        ):
            return
    raise AssertionError(
        f"no {event_type.__name__} with {fields} among the recorded events: {list(recorded)}"
    )
