"""Tracing is switched on by the standard OTEL_* settings alone, and refuses the ones this
service cannot honour at startup rather than dropping every span later."""

import pytest
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

from modules.shared_kernel.infrastructure.tracing import Tracing, TracingMisconfigured


def processors(tracing: Tracing) -> list[object]:
    assert tracing.provider is not None
    return list(tracing.provider._active_span_processor._span_processors)  # type: ignore[attr-defined]


@pytest.mark.parametrize("environ", [
    {}, {"OTEL_TRACES_EXPORTER": "none"},
    {"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "console"},
    {"OTEL_SERVICE_NAME": "shelf"},  # naming the service alone exports nothing
])
def test_off_unless_an_exporter_or_a_collector_is_named(environ: dict[str, str]) -> None:
    tracing = Tracing.from_environment(environ)
    assert not tracing.enabled
    assert tracing.tracer is None


def test_console_prints_each_span_as_it_ends() -> None:
    tracing = Tracing.from_environment({"OTEL_TRACES_EXPORTER": "console"})
    assert [type(p) for p in processors(tracing)] == [SimpleSpanProcessor]


def test_a_collector_endpoint_alone_turns_on_otlp_over_http() -> None:
    tracing = Tracing.from_environment({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318",
                                        "OTEL_SERVICE_NAME": "shelf"})
    [processor] = processors(tracing)
    assert isinstance(processor, BatchSpanProcessor)
    assert type(processor._batch_processor._exporter).__module__.startswith(  # type: ignore[attr-defined]
        "opentelemetry.exporter.otlp.proto.http")
    assert tracing.provider is not None
    assert tracing.provider.resource.attributes["service.name"] == "shelf"


def test_the_service_is_named_bookshelf_unless_told_otherwise() -> None:
    tracing = Tracing.from_environment({"OTEL_TRACES_EXPORTER": "console"})
    assert tracing.provider is not None
    assert tracing.provider.resource.attributes["service.name"] == "bookshelf"


@pytest.mark.parametrize(("environ", "names"), [
    ({"OTEL_TRACES_EXPORTER": "zipkin"}, "OTEL_TRACES_EXPORTER=zipkin"),
    ({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
     "OTEL_EXPORTER_OTLP_PROTOCOL=grpc"),
])
def test_a_setting_it_cannot_honour_stops_the_start(environ: dict[str, str], names: str) -> None:
    with pytest.raises(TracingMisconfigured, match=names):
        Tracing.from_environment(environ)
