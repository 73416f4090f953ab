"""Following bookshelf's integration events on the broker, with FastStream.

RabbitMQ: a queue of this service's own, bound to the `bookshelf` topic exchange for every
Book channel (`bookshelf.book.#`). NATS: a JetStream consumer of its own on the `BOOKSHELF`
stream, over `bookshelf.book.>`. Either way one message at a time, acknowledged once it is
applied: a message that fails is redelivered, ahead of the ones after it, so each book's
messages are applied in the order bookshelf sent them.

`name` is the queue or consumer: durable, so messages sent while the service is stopped wait
for it. Without one (tests), the queue lives as long as the connection, and NATS delivers
only what is published after the subscription starts.
"""

import logging
from typing import Any

from faststream import AckPolicy, Context

from examples.author_statistics.contract import NotInTheContract, PublishedContract
from examples.author_statistics.statistics import AuthorStatistics

log = logging.getLogger("author_statistics")

# The names bookshelf's README publishes for its broker side.
EXCHANGE = "bookshelf"
STREAM = "BOOKSHELF"
BOOK_CHANNELS_AMQP = "bookshelf.book.#"
BOOK_CHANNELS_NATS = "bookshelf.book.>"


def follower(broker_url: str, statistics: AuthorStatistics, contract: PublishedContract,
             name: str | None = "author_statistics") -> Any:
    """A FastStream broker subscribed to the Book channels; `await it.start()` to follow."""

    async def on_book_event(body: Any, message: Any = Context("message")) -> None:
        try:
            contract.check(body)
        except NotInTheContract as error:
            # Kept for an operator, and acknowledged: sending it again would not mend it.
            log.error("refused message %s: %s", message.message_id, error)
            statistics.refuse(message.message_id, str(error))
            return
        if not statistics.apply(message.message_id, body):
            log.info("dropped message %s: applied before", message.message_id)

    scheme = broker_url.partition("://")[0].lower()
    if scheme in ("amqp", "amqps"):
        return _rabbitmq(broker_url, name, on_book_event)
    if scheme in ("nats", "tls"):
        return _nats(broker_url, name, on_book_event)
    raise ValueError(f"not a RabbitMQ or NATS URL: {broker_url}")


def _rabbitmq(url: str, name: str | None, handler: Any) -> Any:
    from faststream.rabbit import ExchangeType, RabbitBroker, RabbitExchange, RabbitQueue

    broker = RabbitBroker(url, logger=log)
    queue = RabbitQueue(name or "", durable=name is not None, exclusive=name is None,
                        auto_delete=name is None, routing_key=BOOK_CHANNELS_AMQP)
    exchange = RabbitExchange(EXCHANGE, type=ExchangeType.TOPIC, durable=True)
    broker.subscriber(queue, exchange, ack_policy=AckPolicy.NACK_ON_ERROR)(handler)
    return broker


def _nats(url: str, name: str | None, handler: Any) -> Any:
    from faststream.nats import JStream, NatsBroker
    from nats.js.api import ConsumerConfig, DeliverPolicy

    broker = NatsBroker(url, logger=log)
    broker.subscriber(
        BOOK_CHANNELS_NATS, stream=JStream(STREAM, subjects=["bookshelf.>"]), durable=name,
        deliver_policy=DeliverPolicy.ALL if name else DeliverPolicy.NEW,
        # One unacknowledged message at a time: a redelivery cannot fall behind a later one.
        config=ConsumerConfig(max_ack_pending=1), ack_policy=AckPolicy.NACK_ON_ERROR,
    )(handler)
    return broker
