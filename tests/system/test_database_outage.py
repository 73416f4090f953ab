"""The database goes away and comes back: 503s within the timeouts meanwhile, no restart after.

Three ways to go away (see tcp_proxy.py): refusing (errors come at once), and two that hang,
where only the service's own timeouts end a wait: a network gone silent (open connections
too, so a statement waits for an answer) and a server that accepts and never answers.
"""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable

import httpx
import pytest
from asgi_lifespan import LifespanManager
from dependency_injector import providers
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from app import create_app
from modules.container import ApplicationContainer
from modules.settings import Settings
from tests.api.catalogue import assert_problem
from tests.eventually import eventually
from tests.system.tcp_proxy import CuttableProxy

CONNECT_TIMEOUT_S = 2.0
STATEMENT_TIMEOUT_S = 2.0
# Far above what the timeouts add up to in one request, so a slow machine never fails the
# test, and far below what a request waits without them: asyncpg's own connect timeout is
# 60 s, and a statement on a silent connection has no end at all.
ANSWER_WITHIN_S = 30.0


@pytest.fixture
async def proxy(database_url: str) -> AsyncIterator[CuttableProxy]:
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("an outage needs a database server: set TEST_DATABASE_URL to PostgreSQL")
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    await proxy.start()
    yield proxy
    await proxy.cut()


@pytest.fixture
async def through_proxy(app: FastAPI, database_url: str,
                        proxy: CuttableProxy) -> AsyncIterator[httpx.AsyncClient]:
    """The service reaching its (already migrated) database only through the proxy."""
    url = make_url(database_url).set(port=proxy.port).render_as_string(hide_password=False)
    container = ApplicationContainer()
    container.settings.override(providers.Object(Settings(
        database_url=url, migrate_on_startup=False,
        database_connect_timeout_s=CONNECT_TIMEOUT_S,
        database_statement_timeout_s=STATEMENT_TIMEOUT_S)))
    service = create_app(container)
    async with LifespanManager(service):
        transport = httpx.ASGITransport(app=service)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def answered_in_time(request: Awaitable[httpx.Response]) -> httpx.Response:
    started = time.monotonic()
    try:
        return await asyncio.wait_for(request, ANSWER_WITHIN_S)
    except TimeoutError:
        raise AssertionError(f"no answer after {time.monotonic() - started:.0f} s") from None


@pytest.mark.parametrize("outage", ["cut", "stall", "stall_new"])
async def test_an_outage_gives_503s_within_the_timeouts_and_the_service_recovers_by_itself(
    through_proxy: httpx.AsyncClient, proxy: CuttableProxy, outage: str
) -> None:
    client = through_proxy
    author = {"first_name": "Han", "last_name": "Kang"}
    assert (await client.post("/authors", json=author)).status_code == 201

    await getattr(proxy, outage)()

    for request in (client.post("/authors", json=author), client.get("/books"),
                    client.get("/authors?name=Han")):
        response = await answered_in_time(request)
        assert_problem(response, 503, "database-unavailable")
        assert response.headers["retry-after"] == "2"
    ready = await answered_in_time(client.get("/health/ready"))
    assert ready.status_code == 503
    assert ready.json()["status"] == "not ready"
    assert (await client.get("/health/live")).status_code == 200
    # The hang was met where each kind of silence puts it: a statement sent on an open
    # connection and never answered (the statement timeout ended it), or a connection
    # accepted and never answered (the connect timeout ended it).
    if outage == "stall":
        assert proxy.held_sends > 0
    if outage == "stall_new":
        assert proxy.held_connections > 0

    await proxy.restore()

    async def create() -> int:
        return (await client.post("/authors", json=author)).status_code

    await eventually(create, lambda status: status == 201, within_s=ANSWER_WITHIN_S)
    listed = (await client.get("/authors", params={"name": "Kang"})).json()["items"]
    assert len(listed) >= 2
    assert (await client.get("/health/ready")).status_code == 200
