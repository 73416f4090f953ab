"""Errors reported to Sentry (through a transport that keeps the envelopes): a 500 and a
failed delivery, each with the request id and trace id, and never a stored value."""

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from modules.shared_kernel.infrastructure.error_reports import WITHHELD, ErrorReports
from modules.shared_kernel.infrastructure.tracing import Tracing
from tests.api.catalogue import books_of, new_author, new_book
from tests.api.listeners import FailsInTheDatabase
from tests.api.observed import observed_service, tracing_into
from tests.eventually import eventually
from tests.system.databases import fresh_database

DSN = "https://public@sentry.invalid/1"
SECRET_TITLE = "The s3cret Garden"


class Kept(Transport):
    """Keeps what would be sent: no network in tests."""

    def __init__(self) -> None:
        super().__init__()
        self.envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)

    def events(self) -> list[dict[str, Any]]:
        return [e for e in (envelope.get_event() for envelope in self.envelopes) if e]


class FailingQueries:
    async def book(self, book_id: int) -> None:
        raise RuntimeError(f"SELECT * FROM books WHERE title = '{SECRET_TITLE}'")


class FailsInTheDatabaseOnce(FailsInTheDatabase):
    def __init__(self, engine: Any, real: Any) -> None:
        super().__init__(engine)
        self.real, self.calls = real, 0

    async def __call__(self, uow: Any, event: Any) -> None:
        self.calls += 1
        if self.calls == 1:
            await super().__call__(uow, event)
        await self.real(uow, event)


@pytest.fixture
async def database(database_url: str, tmp_path: Path) -> AsyncIterator[str]:
    async with fresh_database(database_url, tmp_path) as url:
        yield url


@pytest.fixture
def kept() -> Kept:
    return Kept()


@pytest.fixture
def tracing() -> Iterator[Tracing]:
    return tracing_into(InMemorySpanExporter())


async def test_a_500_is_reported_with_its_request_and_trace_and_no_stored_value(
    database: str, kept: Kept, tracing: Tracing
) -> None:
    async with observed_service(database, tracing=tracing,
                                error_reports=ErrorReports(DSN, transport=kept)) as (client, c):
        with c.book.queries.override(providers.Object(FailingQueries())):
            response = await client.get("/books/12345", headers={"X-Request-ID": "broken-read"})
        assert response.status_code == 500

    [event] = kept.events()
    assert event["tags"]["request_id"] == "broken-read"
    assert len(event["tags"]["trace_id"]) == 32
    [error] = event["exception"]["values"]
    assert (error["type"], error["value"]) == ("RuntimeError", WITHHELD)
    assert error["stacktrace"]["frames"], "where it failed is reported"
    assert SECRET_TITLE not in json.dumps(event)  # the code's lines are sent, not its values


async def test_a_failed_delivery_is_reported_with_the_request_that_caused_it(
    database: str, kept: Kept, tracing: Tracing
) -> None:
    async with observed_service(database, tracing=tracing,
                                error_reports=ErrorReports(DSN, transport=kept)) as (client, c):
        author, book = await new_author(client), await new_book(client, title=SECRET_TITLE)
        failing = FailsInTheDatabaseOnce(c.engine(), c.author.credit_book())
        with c.author.credit_book.override(providers.Object(failing)):
            response = await client.put(f"/books/{book['id']}/authors/{author['id']}",
                                        headers={"X-Request-ID": "credit-7"})
            assert response.status_code == 200
            await eventually(lambda: books_of(client, author), lambda ids: ids == [book["id"]])

    [first] = kept.events()
    assert first["level"] == "warning"
    assert first["tags"]["request_id"] == "credit-7"
    assert first["tags"]["listener"] == "author.credit_book"
    assert first["tags"]["attempt"] == "1"
    assert first["tags"]["gave_up"] == "false"
    assert len(first["tags"]["trace_id"]) == 32
    [error] = first["exception"]["values"][-1:]
    assert error["type"] == "IntegrityError"
    assert error["value"].startswith("IntegrityError: a constraint refused the change")
    text = json.dumps(first)  # the code's lines are sent, not its values
    assert FailsInTheDatabase.SECRET not in text
    assert SECRET_TITLE not in text
    assert not [v for v in first["exception"]["values"] if "INSERT" in v["value"]]


async def test_without_a_dsn_nothing_is_reported(database: str, kept: Kept) -> None:
    reports = ErrorReports(None, transport=kept)
    async with observed_service(database, tracing=Tracing(), error_reports=reports) as (client, c):
        with c.book.queries.override(providers.Object(FailingQueries())):
            assert (await client.get("/books/12345")).status_code == 500
    assert not reports.enabled
    assert kept.envelopes == []

