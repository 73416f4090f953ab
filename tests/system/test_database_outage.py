"""The database goes away and comes back: quick 503s meanwhile, no restart afterwards."""

import time
from collections.abc import AsyncIterator

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
        database_url=url, database_connect_timeout_s=2, migrate_on_startup=False)))
    service = create_app(container)
    async with LifespanManager(service):
        transport = httpx.ASGITransport(app=service)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield client


async def timed(request: object) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await request  # type: ignore[misc]
    return response, time.monotonic() - started


async def test_an_outage_gives_quick_503s_and_the_service_recovers_by_itself(
    through_proxy: httpx.AsyncClient, proxy: CuttableProxy
) -> None:
    client = through_proxy
    author = {"first_name": "Han", "last_name": "Kang"}
    assert (await client.post("/authors", json=author)).status_code == 201

    await proxy.cut()

    for request in (client.post("/authors", json=author), client.get("/books"),
                    client.get("/authors?name=Han")):
        response, took = await timed(request)
        assert_problem(response, 503, "database-unavailable")
        assert response.headers["retry-after"] == "2"
        assert took < 3, f"took {took:.1f} s"
    ready = await client.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json()["status"] == "not ready"
    assert (await client.get("/health/live")).status_code == 200

    await proxy.restore()

    async def create() -> int:
        return (await client.post("/authors", json=author)).status_code

    await eventually(create, lambda status: status == 201)
    listed = (await client.get("/authors", params={"name": "Kang"})).json()["items"]
    assert len(listed) >= 2
    assert (await client.get("/health/ready")).status_code == 200
