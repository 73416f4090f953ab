"""NATS JetStream through FastStream (nats-py): a stream named `BOOKSHELF` over the subjects
`bookshelf.>`, made at the first connection if it is missing; each message on its channel as
the subject, acknowledged by JetStream (stored) before it counts as sent.

The message id goes in `Nats-Msg-Id` too: within the stream's duplicate window (two minutes
by default) JetStream itself drops a message sent again, before any consumer sees it.
"""

from typing import Any, Self

STREAM = "BOOKSHELF"
SUBJECTS = ["bookshelf.>"]


class JetStreamConnection:
    def __init__(self, broker: Any) -> None:
        self._broker = broker

    @classmethod
    async def open(cls, url: str) -> Self:
        from faststream.nats import NatsBroker
        from nats.js.errors import NotFoundError

        # No reconnection of its own: the publisher opens a new connection after a failure,
        # so a message is never held in a client buffer while the attempt counts as failed.
        # One try per server, at once (nats-py would otherwise go on for two minutes).
        broker = NatsBroker(url, logger=None, allow_reconnect=False, connect_timeout=2,
                            max_reconnect_attempts=1, reconnect_time_wait=0)
        client = await broker.connect()
        stream = client.jetstream()
        try:
            await stream.stream_info(STREAM)
        except NotFoundError:
            await stream.add_stream(name=STREAM, subjects=SUBJECTS)
        return cls(broker)

    async def publish(self, channel: str, body: bytes, message_id: str) -> None:
        # A returned acknowledgement means JetStream stored it (or had it already).
        await self._broker.publish(
            body, channel, stream=STREAM,
            headers={"Nats-Msg-Id": message_id, "message_id": message_id,
                     "content-type": "application/json"})

    async def close(self) -> None:
        await self._broker.stop()
