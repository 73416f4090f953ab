"""A log line written inside a span names its trace and span, in both formats; outside one
it names none."""

import json
import logging

from opentelemetry.sdk.trace import TracerProvider

from modules.shared_kernel.infrastructure.logs import (
    JsonLines,
    RequestIdFilter,
    TimeOncePerSecond,
    request_id,
)

TEXT = "%(levelname)s [%(request_id)s%(trace)s] %(message)s"
JSON = "%(message)s %(request_id)s %(trace_id)s %(span_id)s"


def filtered(message: str) -> logging.LogRecord:
    record = logging.LogRecord("bookshelf", logging.INFO, __file__, 1, message, (), None)
    RequestIdFilter().filter(record)
    return record


def test_a_line_inside_a_span_carries_its_trace_and_span_ids() -> None:
    tracer = TracerProvider().get_tracer("test")
    token = request_id.set("r-1")
    try:
        with tracer.start_as_current_span("request") as span:
            record = filtered("served")
    finally:
        request_id.reset(token)
    trace_id, span_id = f"{span.get_span_context().trace_id:032x}", \
        f"{span.get_span_context().span_id:016x}"

    assert TimeOncePerSecond(TEXT).format(record) == \
        f"INFO [r-1 trace={trace_id} span={span_id}] served"
    line = json.loads(JsonLines(JSON).format(record))
    assert (line["trace_id"], line["span_id"], line["request_id"]) == (trace_id, span_id, "r-1")


def test_a_line_outside_any_span_carries_none() -> None:
    record = filtered("started")
    assert TimeOncePerSecond(TEXT).format(record) == "INFO [None] started"
    line = json.loads(JsonLines(JSON).format(record))
    assert line["trace_id"] is None
    assert line["span_id"] is None
