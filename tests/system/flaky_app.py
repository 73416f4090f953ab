"""The service, with the Author module's listeners failing a tenth of their first attempts
(as a lost connection would), for the race test: `uvicorn tests.system.flaky_app:app`.

The failure is put in by overriding the listeners' providers, as any test would.
"""

import random
from typing import Any

from dependency_injector import providers

from app import create_app
from modules.container import ApplicationContainer

FAILURE_RATE = 0.1

container = ApplicationContainer()
_tried: set[Any] = set()


def _flaky(handler: Any) -> Any:
    async def handle(uow: Any, event: Any) -> None:
        if event not in _tried:
            _tried.add(event)
            if random.random() < FAILURE_RATE:
                raise ConnectionError("injected: the first attempt lost its connection")
        await handler(uow, event)

    return handle


for _listener in (container.author.credit_book, container.author.uncredit_book,
                  container.author.forget_deleted_book):
    _listener.override(providers.Object(_flaky(_listener())))

app = create_app(container)
