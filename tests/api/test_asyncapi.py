"""The AsyncAPI document of the integration events: served beside /openapi.json, built from
the published schemas, and never showing the broker's credentials."""

import httpx

from modules.book.http.asyncapi import asyncapi_document
from modules.book.integration_events.contract import PUBLISHED


async def test_the_document_describes_every_published_event(client: httpx.AsyncClient) -> None:
    answer = await client.get("/asyncapi.json")

    assert answer.status_code == 200
    document = answer.json()
    assert document["asyncapi"] == "3.0.0"
    addresses = {channel["address"]: channel for channel in document["channels"].values()}
    assert set(addresses) == {kind.channel for kind in PUBLISHED}
    for kind in PUBLISHED:
        [message] = addresses[kind.channel]["messages"].values()
        assert message["payload"] == kind.schema()  # the published schema, as it is
    assert document["servers"] == {}  # no BROKER_URL in the tests' service


def test_the_servers_show_the_broker_without_its_credentials() -> None:
    document = asyncapi_document("amqp://bookshelf:secret@rabbit.internal:5672/")

    assert document["servers"] == {"broker": {"host": "rabbit.internal:5672",
                                              "protocol": "amqp"}}
    assert "secret" not in str(document)
