"""The Book module's integration events as an AsyncAPI 3.0 document, at /asyncapi.json next
to /openapi.json. Built from the published contract (the schema files are the payloads, as
they are), so it cannot drift from what is sent.

The servers list only the broker's protocol and host, never its credentials.
"""

from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request

from modules.book.integration_events.contract import PUBLISHED, IntegrationEvent
from modules.shared_kernel.http.query_parameters import KnownQueryParameters
from modules.shared_kernel.infrastructure.broker.nats_jetstream import STREAM
from modules.shared_kernel.infrastructure.broker.rabbitmq import EXCHANGE

router = APIRouter(route_class=KnownQueryParameters)

PROTOCOLS = {"amqp": "amqp", "amqps": "amqps", "nats": "nats", "tls": "nats"}


@router.get("/asyncapi.json", include_in_schema=False)
async def asyncapi(request: Request) -> dict[str, Any]:
    return asyncapi_document(request.app.state.container.settings().broker_url)


def asyncapi_document(broker_url: str | None) -> dict[str, Any]:
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "bookshelf: the Book module's integration events",
            "version": "1",
            "description": (
                "Published after each change to a book, at least once, in order per book: "
                "drop a message whose id (event_id) you have seen. RabbitMQ: the topic "
                f"exchange `{EXCHANGE}`, routed by channel. NATS JetStream: the stream "
                f"`{STREAM}`, on the channel as subject. Ids are strings of digits."),
        },
        "defaultContentType": "application/json",
        "servers": _servers(broker_url),
        "channels": {_key(kind): _channel(kind) for kind in PUBLISHED},
        "operations": {f"publish_{_key(kind)}": {
            "action": "send", "channel": {"$ref": f"#/channels/{_key(kind)}"},
            "messages": [{"$ref": f"#/channels/{_key(kind)}/messages/{kind.name}"}],
        } for kind in PUBLISHED},
    }


def _key(kind: IntegrationEvent) -> str:
    return f"{kind.topic}.v{kind.version}"


def _channel(kind: IntegrationEvent) -> dict[str, Any]:
    schema = kind.schema()
    return {
        "address": kind.channel,
        "messages": {kind.name: {
            "name": kind.name, "title": schema["title"], "summary": schema["description"],
            "contentType": "application/json", "payload": schema,
            "correlationId": {"description": "The message id: the event's event_id.",
                              "location": "$message.payload#/event_id"},
        }},
        "bindings": {"amqp": {"is": "routingKey", "exchange": {
            "name": EXCHANGE, "type": "topic", "durable": True, "autoDelete": False}}},
    }


def _servers(broker_url: str | None) -> dict[str, Any]:
    if not broker_url:
        return {}
    parts = urlsplit(broker_url)
    host = f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)
    return {"broker": {"host": host, "protocol": PROTOCOLS.get(parts.scheme, parts.scheme)}}
