"""The operator listing shows a stored event's ids as strings, like every id the API shows."""

import dataclasses
import typing

from modules.book.domain import events as book_events
from modules.shared_kernel.domain.events import DomainEvent
from modules.shared_kernel.http.event_publications import ids_as_strings
from modules.shared_kernel.infrastructure.outbox.payloads import payload_of

BIG = 2**60  # a snowflake: above 2^53, where JavaScript starts rounding


def test_id_fields_become_strings_and_the_rest_stays() -> None:
    payload = {"book_id": BIG, "author_ids": [BIG, BIG + 1], "sequence": 3, "flag_id": True}

    assert ids_as_strings(payload) == {"book_id": str(BIG),
                                       "author_ids": [str(BIG), str(BIG + 1)],
                                       "sequence": 3, "flag_id": True}


def test_no_event_of_the_catalogue_shows_an_id_as_a_number() -> None:
    # Every event with every int field set to a snowflake: only `sequence` may stay a number.
    # An id field named otherwise than *_id / *_ids fails here.
    kinds = [kind for kind in vars(book_events).values() if isinstance(kind, type)
             and issubclass(kind, DomainEvent) and kind is not DomainEvent]
    assert kinds
    for kind in kinds:
        hints = typing.get_type_hints(kind)
        event = kind(**{f.name: BIG if hints[f.name] is int else (BIG,)
                        for f in dataclasses.fields(kind)})

        shown = ids_as_strings(payload_of(event))

        numbers = {name for name, value in shown.items()
                   if value == BIG or (isinstance(value, list) and BIG in value)}
        assert numbers <= {"sequence"}, (kind.__name__, numbers)
