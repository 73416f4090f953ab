"""The brokers the integration-event tests run against: RabbitMQ and NATS JetStream on their
usual local ports. A test is skipped when its broker does not answer, unless
BROKER_TESTS_REQUIRED is set (CI sets it, after making sure both run): then it fails."""

import os
import socket
import time

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from persistence.database import is_sqlite

BROKERS = {
    "rabbitmq": ("amqp://guest:guest@127.0.0.1:{port}/", 5672),
    "nats": ("nats://127.0.0.1:{port}", 4222),
}


def broker_url(kind: str, port: int | None = None) -> str:
    """The URL of the broker of `kind`; at `port` if given (a proxy in front of it)."""
    template, usual_port = BROKERS[kind]
    return template.format(port=port or usual_port)


def usual_port(kind: str) -> int:
    return BROKERS[kind][1]


def require_broker(kind: str) -> None:
    port = usual_port(kind)
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        reason = f"{kind} does not answer on 127.0.0.1:{port}"
        if os.environ.get("BROKER_TESTS_REQUIRED"):
            pytest.fail(f"{reason}, and BROKER_TESTS_REQUIRED is set")
        pytest.skip(f"{reason} (start it, see README: Integration events)")


async def start_publication_ids_after_now(database_url: str) -> None:
    """Message ids are publication ids, unique within one database. Tests give each service
    a fresh database but share the brokers (and JetStream drops an id it saw within two
    minutes): so a test's ids start past every earlier test's."""
    start = time.time_ns() // 1000
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as connection:
            if is_sqlite(database_url):
                # The migrations may have left the table's row there already.
                await connection.execute(text(
                    "DELETE FROM sqlite_sequence WHERE name = 'event_publications'"))
                await connection.execute(text(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES ('event_publications', :s)"),
                    {"s": start})
            else:
                await connection.execute(text(
                    "SELECT setval(pg_get_serial_sequence('event_publications', 'id'), :s)"),
                    {"s": start})
    finally:
        await engine.dispose()
