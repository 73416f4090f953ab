"""The service on a database of a test's own, with its tracing and error reports replaced:
the session's app runs a relay too, and would deliver the test's events unobserved."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from dependency_injector import providers
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from app import create_app
from modules.container import ApplicationContainer
from modules.settings import Settings
from modules.shared_kernel.infrastructure.error_reports import ErrorReports
from modules.shared_kernel.infrastructure.tracing import Tracing


def tracing_into(exporter: InMemorySpanExporter) -> Tracing:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return Tracing(provider)


@asynccontextmanager
async def observed_service(
    database_url: str, *, tracing: Tracing, error_reports: ErrorReports | None = None,
    **settings: Any,
) -> AsyncIterator[tuple[httpx.AsyncClient, ApplicationContainer]]:
    container = ApplicationContainer()
    container.settings.override(providers.Object(Settings(
        database_url=database_url, event_retry_base_s=0.02, event_retry_max_s=0.2,
        event_relay_interval_s=0.05, **settings)))
    container.tracing.override(providers.Object(tracing))
    if error_reports is not None:
        container.error_reports.override(providers.Object(error_reports))
    app = create_app(container)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    # A fresh database is migrated at startup, in a child process: seconds on a busy machine.
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30), httpx.AsyncClient(
            transport=transport, base_url="http://test") as client:
        yield client, container
