"""Publishing to the broker BROKER_URL names: `amqp://` (or `amqps://`) is RabbitMQ, `nats://`
(or `tls://`) NATS JetStream.

The connection is opened at the first message, not at startup, so a broker that is down
never stops the service from starting or answering: the message's publication stays open
and the relay tries again. After any failure the connection is dropped and the next attempt
opens a new one; each attempt is bounded in time, so a broker that hangs holds the relay
(and the in-process listeners' retries behind it) for PUBLISH_WITHIN_S at most.
"""

import asyncio
import contextlib
import json
from typing import Any

from modules.shared_kernel.infrastructure.broker.connection import BrokerConnection

PUBLISH_WITHIN_S = 5.0


class UnknownBroker(ValueError):
    pass


async def open_connection(url: str) -> BrokerConnection:
    scheme = url.partition("://")[0].lower()
    if scheme in ("amqp", "amqps"):
        from modules.shared_kernel.infrastructure.broker.rabbitmq import RabbitMqConnection

        return await RabbitMqConnection.open(url)
    if scheme in ("nats", "tls"):
        from modules.shared_kernel.infrastructure.broker.nats_jetstream import JetStreamConnection

        return await JetStreamConnection.open(url)
    raise UnknownBroker(f"BROKER_URL must start with amqp://, amqps://, nats:// or tls://, "
                        f"not {scheme}://")


class BrokerPublisher:
    def __init__(self, url: str) -> None:
        self._url = url
        self._connection: BrokerConnection | None = None
        self._opening = asyncio.Lock()

    async def publish(self, channel: str, message: dict[str, Any], message_id: str) -> None:
        """Return once the broker has confirmed the message; raise otherwise."""
        body = json.dumps(message, separators=(",", ":")).encode()
        try:
            async with asyncio.timeout(PUBLISH_WITHIN_S):
                connection = await self._connected()
                await connection.publish(channel, body, message_id)
        except Exception:
            await self.close()
            raise

    async def _connected(self) -> BrokerConnection:
        async with self._opening:
            if self._connection is None:
                self._connection = await open_connection(self._url)
            return self._connection

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(PUBLISH_WITHIN_S):
                    await connection.close()
