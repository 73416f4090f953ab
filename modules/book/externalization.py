"""The Book module's events leave the process as integration events: one outbound listener
per published event, on the same outbox as the in-process listeners. Its handler turns the
domain event into its integration event and publishes it, with the publication's id as the
message id (a consumer drops an id it has seen: delivery is at least once).

Subscribed only when BROKER_URL is set. The names are stored with every publication: rename
one only with a migration.
"""

from collections.abc import Callable
from typing import Any

from modules.book.integration_events.mapping import PUBLISHED_AS, integration_event_of
from modules.shared_kernel.application.listeners import CompletingUnitOfWork, Listener, Listeners
from modules.shared_kernel.application.publications import Publication
from modules.shared_kernel.infrastructure.broker.publisher import BrokerPublisher


def externalize(listeners: Listeners, broker: Callable[[], BrokerPublisher],
                unit_of_work: Callable[..., CompletingUnitOfWork]) -> None:
    """`broker` and `unit_of_work` are providers, looked up at each delivery. The unit of work
    stores nothing: delivery completes the publication once the handler has returned."""

    async def publish_integration_event(_nothing_to_store: Any, publication: Publication) -> None:
        kind, message = integration_event_of(publication.event, publication.id,
                                             publication.created_at_ms)
        await broker().publish(kind.channel, message, message_id=str(publication.id))

    for event_type, (kind, _fields) in PUBLISHED_AS.items():
        listeners.subscribe(Listener(f"broker.{kind.topic}", event_type,
                                     handler=lambda: publish_integration_event,
                                     unit_of_work=unit_of_work, outbound=True))
