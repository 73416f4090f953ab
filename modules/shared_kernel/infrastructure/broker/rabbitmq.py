"""RabbitMQ through FastStream (aio-pika): a durable topic exchange named `bookshelf`, each
message routed by its channel (`bookshelf.book.author_added_to_book.v1`), persistent, and
confirmed by the broker (publisher confirms) before it counts as sent.

A consumer binds a durable queue of its own to the exchange, with the channels it follows
(`bookshelf.book.#`). RabbitMQ keeps what arrives for a bound queue; a message that no queue
is bound for is dropped, as pub/sub does: bind before the first message you need.
"""

from typing import Any, Self

from modules.shared_kernel.infrastructure.broker.connection import BrokerRefused

EXCHANGE = "bookshelf"


class RabbitMqConnection:
    def __init__(self, broker: Any, exchange: Any) -> None:
        self._broker = broker
        self._exchange = exchange

    @classmethod
    async def open(cls, url: str) -> Self:
        from faststream.rabbit import ExchangeType, RabbitBroker, RabbitExchange

        broker = RabbitBroker(url, logger=None)
        await broker.connect()
        exchange = RabbitExchange(EXCHANGE, type=ExchangeType.TOPIC, durable=True)
        await broker.declare_exchange(exchange)
        return cls(broker, exchange)

    async def publish(self, channel: str, body: bytes, message_id: str) -> None:
        from pamqp.commands import Basic

        confirmation = await self._broker.publish(
            body, exchange=self._exchange, routing_key=channel, message_id=message_id,
            content_type="application/json", persist=True, mandatory=False)
        if not isinstance(confirmation, Basic.Ack):
            raise BrokerRefused(f"RabbitMQ did not confirm message {message_id}: "
                                f"{type(confirmation).__name__}")

    async def close(self) -> None:
        await self._broker.stop()
