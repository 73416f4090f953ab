"""What the publisher needs of a broker, whichever it is."""

from typing import Protocol


class BrokerConnection(Protocol):
    async def publish(self, channel: str, body: bytes, message_id: str) -> None:
        """Return once the broker has confirmed it holds the message; raise otherwise."""

    async def close(self) -> None: ...


class BrokerRefused(RuntimeError):
    """The broker answered, and did not take the message."""
