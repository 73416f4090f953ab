"""The log formatter renders a record's time exactly as logging.Formatter does, though it
renders each second's date only once."""

import logging

from modules.shared_kernel.infrastructure.logs import TimeOncePerSecond

FORMAT = "%(asctime)s %(levelname)-7s %(name)s %(message)s"


def record_at(created: float) -> logging.LogRecord:
    record = logging.LogRecord("bookshelf", logging.INFO, __file__, 1, "at %s", (created,), None)
    record.created, record.msecs = created, (created - int(created)) * 1000
    return record


def test_each_line_shows_the_time_plain_logging_would() -> None:
    ours, plain = TimeOncePerSecond(FORMAT), logging.Formatter(FORMAT)
    # Within one second, across a second, out of order, and back to an earlier second.
    for created in (1_700_000_000.001, 1_700_000_000.999, 1_700_000_001.5, 1_700_000_000.25,
                    1_800_000_000.0, 1_700_000_001.75):
        assert ours.format(record_at(created)) == plain.format(record_at(created))
