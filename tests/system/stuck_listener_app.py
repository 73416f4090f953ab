"""The service with the Author module's credit listener stuck: it tells the test's gate
(tests/system/gate.py) it has started, at "credit_book", and never returns, so a test can
kill the process while the delivery is claimed: `uvicorn tests.system.stuck_listener_app:app`.

Put in by overriding the listener's provider, as any test may.
"""

import asyncio
from typing import Any

from dependency_injector import providers

from app import create_app
from modules.container import ApplicationContainer
from tests.system.gate import wait_at_gate

container = ApplicationContainer()


async def _stuck(_uow: Any, _event: Any) -> None:
    await wait_at_gate("credit_book")
    await asyncio.Event().wait()  # forever, even if the gate lets it go: the process dies here


container.author.credit_book.override(providers.Object(_stuck))

app = create_app(container)
