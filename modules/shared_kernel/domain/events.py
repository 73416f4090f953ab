"""Domain events and the aggregates that record them."""

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class DomainEvent:
    """Something that happened in the catalogue; past tense, immutable, carries ids only.

    Stored events outlive the code that wrote them: change an event's fields only with a new
    `schema_version` (and a reader for the old one)."""

    schema_version: ClassVar[int] = 1


class Aggregate:
    """An aggregate root records events; something outside the domain delivers them.

    The list lives in the instance dict rather than in a dataclass field because SQLAlchemy
    builds loaded instances without calling `__init__`.
    """

    def record(self, event: DomainEvent) -> None:
        self._recorded().append(event)

    def pull_events(self) -> list[DomainEvent]:
        """Hand over the recorded events and forget them."""
        return vars(self).pop("_events", [])

    @property
    def recorded_events(self) -> tuple[DomainEvent, ...]:
        return tuple(self._recorded())

    def _recorded(self) -> list[Any]:
        events: list[Any] = vars(self).setdefault("_events", [])
        return events
