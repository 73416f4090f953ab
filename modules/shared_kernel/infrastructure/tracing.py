"""OpenTelemetry traces: off unless the standard OTEL_* settings ask for them, and then one
trace per request that goes on through the outbox to the listeners that handle its events.

    OTEL_TRACES_EXPORTER         otlp (OTLP over HTTP), console (spans in the log), none
    OTEL_EXPORTER_OTLP_ENDPOINT  the collector (http://localhost:4318 by default); setting it
                                 alone turns tracing on with the otlp exporter
    OTEL_SERVICE_NAME            bookshelf unless set; OTEL_RESOURCE_ATTRIBUTES adds more
    OTEL_TRACES_SAMPLER(_ARG)    read by the SDK (parentbased_always_on by default)
    OTEL_SDK_DISABLED=true       off, whatever else is set

SQL is traced at one level only, or every statement would show twice: asyncpg's on
PostgreSQL (it sees the writers' statements under SQLAlchemy and the reads sent straight to
the read pool), SQLAlchemy's on the embedded SQLite. The provider is this object's own, not
the process-wide one, so tests can give each app an in-memory exporter.

When off, nothing of the SDK is imported and nothing is patched: the only cost left is the
outbox asking whether a span is current, which it never is.
"""

import contextlib
import os
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.context import (
    _SUPPRESS_INSTRUMENTATION_KEY,
    Context,
    attach,
    detach,
    set_value,
)
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

if TYPE_CHECKING:
    from fastapi import FastAPI
    from opentelemetry.sdk.trace import TracerProvider
    from sqlalchemy.ext.asyncio import AsyncEngine

SERVICE_NAME = "bookshelf"
_W3C = TraceContextTextMapPropagator()


class TracingMisconfigured(ValueError):
    """An OTEL_* setting this service cannot honour; says which and why."""


def current_trace_context() -> str | None:
    """The W3C traceparent of the span in progress, to store beside what it causes; None
    when nothing is traced."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags:02x}"


def continued(trace_context: str | None) -> Context | None:
    """The context to parent a span on, from a stored traceparent (None: a new trace)."""
    return _W3C.extract({"traceparent": trace_context}) if trace_context else None


class Tracing:
    def __init__(self, provider: "TracerProvider | None" = None) -> None:
        self.provider = provider
        self.tracer: trace.Tracer | None = (
            provider.get_tracer("bookshelf") if provider is not None else None)
        self._instrumented: list[Any] = []

    @property
    def enabled(self) -> bool:
        return self.provider is not None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> "Tracing":
        exporters = _exporters_asked_for(environ)
        if not exporters:
            return cls()
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import (
            BatchSpanProcessor,
            ConsoleSpanExporter,
            SimpleSpanProcessor,
        )

        resource = Resource.create(
            {"service.name": environ.get("OTEL_SERVICE_NAME") or SERVICE_NAME})
        provider = TracerProvider(resource=resource)  # the sampler comes from OTEL_TRACES_SAMPLER
        for name in exporters:
            if name == "console":  # a quick look: each span printed as it ends
                provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
            else:
                from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
                    OTLPSpanExporter,
                )
                provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        return cls(provider)

    def instrument_app(self, app: "FastAPI") -> None:
        """A server span around every request (made when the app is built: it wraps the
        middleware stack)."""
        if self.provider is None:
            return
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        # The ASGI receive and send spans would double every request's span count for
        # nothing an operator looks at.
        FastAPIInstrumentor.instrument_app(app, tracer_provider=self.provider,
                                           exclude_spans=["receive", "send"])

    def instrument_database(self, engine: "AsyncEngine") -> None:
        if self.provider is None:
            return
        if engine.dialect.name == "postgresql":
            from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

            instrumentor: Any = AsyncPGInstrumentor()
            instrumentor.instrument(tracer_provider=self.provider)
        else:
            from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

            instrumentor = SQLAlchemyInstrumentor()
            # Its declared range ends below SQLAlchemy 2.1, whose engine events it uses are
            # unchanged; tests/api/test_traces.py checks its spans on every run.
            instrumentor.instrument(engine=engine.sync_engine, tracer_provider=self.provider,
                                    skip_dep_check=True)
        self._instrumented.append(instrumentor)

    def shut_down(self) -> None:
        """Undo the patches (asyncpg's are process-wide) and send the spans still queued."""
        while self._instrumented:
            self._instrumented.pop().uninstrument()
        if self.provider is not None:
            self.provider.force_flush()

    @contextlib.contextmanager
    def span(self, name: str, *, parent: str | None = None,
             attributes: Mapping[str, Any] | None = None) -> Iterator[trace.Span | None]:
        """A span made current for the block, parented by a stored traceparent when given;
        nothing at all when tracing is off."""
        if self.tracer is None:
            yield None
            return
        with self.tracer.start_as_current_span(
                name, context=continued(parent), kind=trace.SpanKind.CONSUMER,
                attributes=dict(attributes or {})) as span:
            yield span



@contextlib.contextmanager
def untraced() -> Iterator[None]:
    """No spans for the SQL inside: the relay's polling and the lease's renewals would
    otherwise send a trace of one statement every second, from every process."""
    token = attach(set_value(_SUPPRESS_INSTRUMENTATION_KEY, True))
    try:
        yield
    finally:
        detach(token)


def _exporters_asked_for(environ: Mapping[str, str]) -> list[str]:
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return []
    named = [name.strip().lower()
             for name in environ.get("OTEL_TRACES_EXPORTER", "").split(",") if name.strip()]
    if not named and (environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
                      or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")):
        named = ["otlp"]
    named = [name for name in named if name != "none"]
    for name in named:
        if name not in ("otlp", "console"):
            raise TracingMisconfigured(
                f"OTEL_TRACES_EXPORTER={name} is not one this service has: otlp or console")
    protocol = (environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
                or environ.get("OTEL_EXPORTER_OTLP_PROTOCOL") or "http/protobuf")
    if "otlp" in named and protocol != "http/protobuf":
        raise TracingMisconfigured(
            f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol}: this service sends OTLP over HTTP "
            "(http/protobuf, port 4318), not gRPC")
    return named
