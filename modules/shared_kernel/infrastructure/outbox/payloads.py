"""Events as stored: a JSON object of their fields, and the schema version that wrote it."""

import dataclasses
from typing import Any

from modules.shared_kernel.domain.events import DomainEvent


class UnreadableEvent(ValueError):
    """A stored event no code can read any more: its type or schema version is gone."""


def payload_of(event: DomainEvent) -> dict[str, Any]:
    return {f.name: list(v) if isinstance(v, tuple) else v
            for f in dataclasses.fields(event) for v in [getattr(event, f.name)]}


def event_from(event_type: type[DomainEvent], schema_version: int,
               payload: dict[str, Any]) -> DomainEvent:
    if schema_version != event_type.schema_version:
        raise UnreadableEvent(f"{event_type.__name__} is at schema version "
                              f"{event_type.schema_version}, this one is at {schema_version}")
    values = {name: tuple(v) if isinstance(v, list) else v for name, v in payload.items()}
    try:
        return event_type(**values)
    except TypeError as error:
        raise UnreadableEvent(str(error)) from None
