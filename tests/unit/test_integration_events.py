"""The Book module's published language: every Book event is published, every message fits
its schema, and a published schema never changes under the same version."""

import inspect
import json
from typing import Any

import jsonschema_rs
import pytest

from modules.book.domain import events as book_events
from modules.book.domain.events import AuthorAddedToBook, AuthorRemovedFromBook, BookDeleted
from modules.book.integration_events.contract import PUBLISHED, PUBLISHED_DIGESTS
from modules.book.integration_events.mapping import PUBLISHED_AS, integration_event_of
from modules.shared_kernel.domain.events import DomainEvent

LARGE_ID = 2**63 - 1  # past 2^53: a consumer reading ids as numbers would round it
EVENTS = [
    AuthorAddedToBook(book_id=LARGE_ID, author_id=LARGE_ID - 1, sequence=1),
    AuthorRemovedFromBook(book_id=LARGE_ID, author_id=117413484664193024, sequence=2),
    BookDeleted(book_id=LARGE_ID, author_ids=(117413484664193024, 5), sequence=3),
    BookDeleted(book_id=1, author_ids=(), sequence=1),
]


def validator(schema: dict[str, Any]) -> Any:
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def test_every_book_event_is_published() -> None:
    book_event_types = {kind for _, kind in inspect.getmembers(book_events, inspect.isclass)
                        if issubclass(kind, DomainEvent) and kind is not DomainEvent}

    assert set(PUBLISHED_AS) == book_event_types


def test_every_schema_is_a_valid_json_schema() -> None:
    for kind in PUBLISHED:
        assert jsonschema_rs.meta.is_valid(kind.schema()), kind.schema_file.name


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: type(e).__name__)
def test_every_message_fits_its_published_schema(event: DomainEvent) -> None:
    kind, message = integration_event_of(event, event_id=LARGE_ID, occurred_at_ms=1_763_756_000_007)

    validator(kind.schema()).validate(message)
    assert message["event_id"] == str(LARGE_ID)
    assert message["book_id"] == str(event.book_id)  # type: ignore[attr-defined]
    assert message["occurred_at"] == "2025-11-21T20:13:20.007Z"
    assert json.loads(json.dumps(message)) == message  # plain JSON, nothing Python-only


def test_a_schema_refuses_what_it_does_not_publish() -> None:
    kind, message = integration_event_of(EVENTS[0], event_id=7, occurred_at_ms=0)
    check = validator(kind.schema())

    assert not check.is_valid({**message, "author_id": LARGE_ID - 1})  # an id as a number
    assert not check.is_valid({**message, "title": "an unpublished field"})
    assert not check.is_valid({k: v for k, v in message.items() if k != "sequence"})
    assert not check.is_valid({**message, "version": 2})


def test_a_published_schema_never_changes_without_a_new_version() -> None:
    """published.json holds the digest of every version ever published. A schema edited in
    place fails here: leave it, and add `<topic>.v<n+1>.json` with a line of its own."""
    published = json.loads(PUBLISHED_DIGESTS.read_text())
    current = {f"{kind.topic}.v{kind.version}": kind.digest() for kind in PUBLISHED}

    for version, digest in current.items():
        assert published.get(version) == digest, (
            f"{version} differs from the version published: publish a new version instead")


def test_a_changed_schema_is_caught(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check above would catch an edit: a schema one word different digests otherwise."""
    kind = PUBLISHED[0]
    edited = kind.schema()
    edited["properties"]["sequence"]["minimum"] = 0
    copy = tmp_path / kind.schema_file.name
    copy.write_text(json.dumps(edited))
    monkeypatch.setattr(type(kind), "schema_file", property(lambda _self: copy))

    assert kind.digest() != json.loads(PUBLISHED_DIGESTS.read_text())[
        f"{kind.topic}.v{kind.version}"]


def test_every_published_version_keeps_its_schema_file() -> None:
    """A consumer may still read an older version: its schema stays in the repository."""
    for version in json.loads(PUBLISHED_DIGESTS.read_text()):
        assert (PUBLISHED_DIGESTS.parent / f"{version}.json").is_file(), version
