"""Logs: one JSON object per line in production, readable lines in development; every line
written while a request is served carries that request's id, and, when tracing is on, the
trace and span it was written in (so a log line leads to its trace, and back)."""

import contextvars
import logging
import sys
import time
from typing import Literal

from opentelemetry import trace
from pythonjsonlogger.json import JsonFormatter

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

HANDLER_NAME = "bookshelf"


class TimeOncePerSecond(logging.Formatter):
    """A formatter that writes a record's time as logging.Formatter does, but renders the
    date and seconds once a second rather than on every line: strftime was most of what the
    request log line cost (issue 12)."""

    _second: int | None = None
    _rendered = ""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if datefmt is not None:
            return super().formatTime(record, datefmt)
        second = int(record.created)
        if second != self._second:
            self._rendered = time.strftime(self.default_time_format, self.converter(second))
            self._second = second
        return f"{self._rendered},{int(record.msecs):03d}"


class JsonLines(TimeOncePerSecond, JsonFormatter):
    pass


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        span = trace.get_current_span().get_span_context()
        if span.is_valid:
            trace_id, span_id = f"{span.trace_id:032x}", f"{span.span_id:016x}"
            record.trace_id, record.span_id = trace_id, span_id
            record.trace = f" trace={trace_id} span={span_id}"
        else:
            record.trace_id = record.span_id = None
            record.trace = ""
        return True


def configure_logging(log_format: Literal["json", "text"], level: str) -> None:
    """Install the service's handler on the root logger (again: replaces the previous one)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.addFilter(RequestIdFilter())
    if log_format == "json":
        handler.setFormatter(JsonLines(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(trace_id)s "
            "%(span_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        ))
    else:
        handler.setFormatter(TimeOncePerSecond(
            "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s%(trace)s] %(message)s"))
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Neither format shows where a line was logged from, nor its thread or process: records
    # skip finding them, as the logging HOWTO's "Optimization" section describes. A fifth of
    # a text line's CPU, an eighth of a JSON line's, measured here.
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    # One line per request comes from the service itself (bookshelf.requests).
    logging.getLogger("uvicorn.access").disabled = True
