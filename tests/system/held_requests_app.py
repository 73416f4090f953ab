"""The service with two holds a test opens at its gate (tests/system/gate.py), for the
graceful shutdown test: `uvicorn tests.system.held_requests_app:app`.

- "request": every Book command waits before it runs, so a test can send SIGTERM while
  requests are surely in flight, and see that all of their work happens after it;
- "shutdown": after the service's own shutdown (relay stopped, lease released, engine
  disposed) the process waits before it exits, so a test can look at the database then.

Put in by overriding the Book module's bus and wrapping the app's lifespan, as any test may.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from dependency_injector import providers
from fastapi import FastAPI

from app import create_app
from modules.container import ApplicationContainer
from tests.system.gate import HeldBus, wait_at_gate

container = ApplicationContainer()
container.book.bus.override(providers.Object(HeldBus(container.book.bus(),
                                                   lambda: wait_at_gate("request"))))

app = create_app(container)
_service_lifespan = app.router.lifespan_context


@asynccontextmanager
async def _held_after_shutdown(application: FastAPI) -> AsyncIterator[None]:
    async with _service_lifespan(application):
        yield
    await wait_at_gate("shutdown")


app.router.lifespan_context = _held_after_shutdown
