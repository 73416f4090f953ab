"""One trace per credit request, across the outbox: the request's span, its SQL, and the
Author module's handler with its SQL, whether the handler runs in the request, in the relay
after a restart, or again after a failed attempt. Spans go to the SDK's in-memory exporter."""

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from sqlalchemy import select

from modules.shared_kernel.infrastructure.tracing import Tracing
from persistence.database import create_engine
from persistence.tables import event_publications
from tests.api.catalogue import books_of, new_author, new_book
from tests.api.listeners import credit_failing
from tests.api.observed import observed_service, tracing_into
from tests.eventually import eventually
from tests.system.databases import fresh_database

CREDIT_ROUTE = "/books/{book_id}/authors/{author_id}"


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
async def database(database_url: str, tmp_path: Path) -> AsyncIterator[str]:
    async with fresh_database(database_url, tmp_path) as url:
        yield url


@pytest.fixture
def service(database: str, exporter: InMemorySpanExporter) -> Callable[..., Any]:
    def started(tracing: Tracing | None = None, **settings: Any) -> Any:
        return observed_service(database, tracing=tracing or tracing_into(exporter), **settings)

    return started


def request_span(spans: list[ReadableSpan], method: str, route: str) -> ReadableSpan:
    def method_of(span: ReadableSpan) -> object:
        attributes = span.attributes or {}
        return attributes.get("http.request.method", attributes.get("http.method"))

    [span] = [s for s in spans if s.kind is SpanKind.SERVER and method_of(s) == method
              and (s.attributes or {}).get("http.route") == route]
    return span


def in_trace(spans: list[ReadableSpan], of: ReadableSpan) -> list[ReadableSpan]:
    assert of.context is not None
    return [s for s in spans if s.context is not None and s.context.trace_id == of.context.trace_id]


def children(spans: list[ReadableSpan], of: ReadableSpan) -> list[ReadableSpan]:
    assert of.context is not None
    return [s for s in spans if s.parent is not None and s.parent.span_id == of.context.span_id]


def deliveries(spans: list[ReadableSpan]) -> list[ReadableSpan]:
    return [s for s in spans if s.name == "deliver AuthorAddedToBook"]


def sql(spans: list[ReadableSpan]) -> list[ReadableSpan]:
    return [s for s in spans if s.kind is SpanKind.CLIENT
            and any(key.startswith("db.") for key in s.attributes or {})]


async def credit(client: httpx.AsyncClient, request_id: str = "credit-1"
                 ) -> tuple[dict[str, Any], dict[str, Any]]:
    author, book = await new_author(client), await new_book(client)
    response = await client.put(f"/books/{book['id']}/authors/{author['id']}",
                                headers={"X-Request-ID": request_id})
    assert response.status_code == 200
    return author, book


async def test_a_credit_request_is_one_trace_down_to_the_author_modules_sql(
    service: Callable[..., Any], exporter: InMemorySpanExporter, database_url: str
) -> None:
    async with service() as (client, _):
        author, book = await credit(client)
        assert await books_of(client, author) == [book["id"]]

    spans = list(exporter.get_finished_spans())
    request = request_span(spans, "PUT", CREDIT_ROUTE)
    trace = in_trace(spans, request)
    [delivery] = deliveries(trace)
    # The handler ran in the request, after its commit: a child of the request's span.
    assert delivery.parent is not None
    assert request.context is not None
    assert delivery.parent.span_id == request.context.span_id
    assert delivery.status.status_code is not StatusCode.ERROR
    assert delivery.attributes is not None
    assert delivery.attributes["bookshelf.listener"] == "author.credit_book"
    # The Book module's SQL under the request, the Author module's under its handler.
    assert sql(children(trace, request)), "the request's own statements are in its trace"
    assert sql(children(trace, delivery)), "the handler's statements are in the same trace"
    if not database_url.startswith("sqlite"):  # SQLite commits without a statement
        statements = [s.name.rstrip(";") for s in children(trace, request)]
        assert "COMMIT" in statements


async def test_a_delivery_by_the_relay_after_a_restart_continues_the_requests_trace(
    service: Callable[..., Any], exporter: InMemorySpanExporter, database: str
) -> None:
    # The first process records the event and stops before anyone delivers it.
    async with service(event_delivery="relay", event_relay_enabled=False) as (client, _):
        author, book = await credit(client)
    request = request_span(list(exporter.get_finished_spans()), "PUT", CREDIT_ROUTE)
    engine = create_engine(database)
    try:
        async with engine.connect() as connection:
            stored, request_id = (await connection.execute(select(
                event_publications.c.trace_context, event_publications.c.request_id))).one()
    finally:
        await engine.dispose()
    assert request_id == "credit-1"
    assert request.context is not None
    context = request.context
    assert stored == f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags:02x}"

    # A new process: its relay delivers the event, in the trace the request started.
    async with service(event_delivery="relay") as (client, _):
        await eventually(lambda: books_of(client, author), lambda ids: ids == [book["id"]])

    spans = list(exporter.get_finished_spans())
    [delivery] = deliveries(in_trace(spans, request))
    assert delivery.parent is not None
    assert delivery.parent.span_id == request.context.span_id
    assert sql(children(spans, delivery))


async def test_a_failed_then_retried_delivery_shows_both_attempts_in_the_trace(
    service: Callable[..., Any], exporter: InMemorySpanExporter
) -> None:
    async with service() as (client, container):
        with credit_failing(container, failures=1):
            author, book = await credit(client)
            await eventually(lambda: books_of(client, author), lambda ids: ids == [book["id"]])

    spans = list(exporter.get_finished_spans())
    request = request_span(spans, "PUT", CREDIT_ROUTE)
    attempts = sorted(deliveries(in_trace(spans, request)),
                      key=lambda s: (s.attributes or {})["bookshelf.attempt"])
    assert [(s.attributes or {})["bookshelf.attempt"] for s in attempts] == [1, 2]
    failed, retried = attempts
    assert failed.status.status_code is StatusCode.ERROR
    assert failed.status.description == "ConnectionError: author database unreachable"
    assert retried.status.status_code is not StatusCode.ERROR
    assert sql(children(spans, retried))


async def test_with_tracing_off_nothing_is_traced_or_stored(
    service: Callable[..., Any], database: str
) -> None:
    tracing = Tracing.from_environment({})
    assert not tracing.enabled
    async with service(tracing) as (client, _container):
        await credit(client)
        # Nothing patched: asyncpg's methods are its own, the app has no tracing middleware.
        assert not hasattr(asyncpg.connection.Connection.execute, "__wrapped__")
        assert not hasattr(client._transport.app, "_original_build_middleware_stack")  # type: ignore[attr-defined]
    engine = create_engine(database)
    try:
        async with engine.connect() as connection:
            stored = (await connection.execute(select(event_publications.c.trace_context))).all()
    finally:
        await engine.dispose()
    assert stored
    assert all(row.trace_context is None for row in stored)
