"""The service with its broker held just after a message is confirmed, before its publication
is marked complete: it tells the test's gate (tests/system/gate.py) at "published" and never
goes on, so a test can kill the process in between:
`uvicorn tests.system.published_then_killed_app:app` (with BROKER_URL set).

Put in by overriding the broker's provider, as any test may.
"""

import asyncio
from typing import Any

from dependency_injector import providers

from app import create_app
from modules.container import ApplicationContainer
from modules.shared_kernel.infrastructure.broker.publisher import BrokerPublisher
from tests.system.gate import wait_at_gate


class HeldAfterPublishing(BrokerPublisher):
    async def publish(self, channel: str, message: dict[str, Any], message_id: str) -> None:
        await super().publish(channel, message, message_id)
        await wait_at_gate("published")
        await asyncio.Event().wait()  # forever: the process dies here


container = ApplicationContainer()
container.broker_publisher.override(
    providers.Singleton(HeldAfterPublishing, url=container.settings.provided.broker_url))

app = create_app(container)
