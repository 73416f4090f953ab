"""GET /metrics with METRICS_ENABLED: known traffic, then the numbers a scrape shows."""

import asyncio
import hashlib
import os
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from dependency_injector import providers
from fastapi import FastAPI

from app import create_app
from modules.container import ApplicationContainer
from modules.settings import Settings
from modules.shared_kernel.application.retry import retry_on_conflict
from modules.shared_kernel.domain.errors import ConcurrentChange
from tests.api.catalogue import assert_problem, book_body, new_author, new_book
from tests.api.listeners import credit_failing
from tests.metrics_scrape import Sample, requests_counted, samples, value
from tests.system.servers import ROOT

TOKEN = "metrics-scraper-token"
WRITE = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
async def metered(app: FastAPI, database_url: str) -> AsyncIterator[ApplicationContainer]:
    """A second app on the same database, with metrics and a token. A failed delivery is
    retried only after a minute: neither relay in this process touches it during a test."""
    container = ApplicationContainer()
    container.settings.override(providers.Object(Settings(
        database_url=database_url, metrics_enabled=True,
        api_token_hashes=[hashlib.sha256(TOKEN.encode()).hexdigest()],
        event_retry_base_s=60, event_max_attempts=2)))
    application = create_app(container)
    async with LifespanManager(application):
        container.app = application  # type: ignore[attr-defined]
        yield container


@pytest.fixture
async def client(metered: ApplicationContainer) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=metered.app)  # type: ignore[attr-defined]
    async with httpx.AsyncClient(transport=transport, base_url="http://bookshelf.test",
                                 headers=WRITE) as client:
        yield client


async def scrape(client: httpx.AsyncClient) -> dict[Sample, float]:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


async def test_requests_are_counted_by_route_template_and_status(
    client: httpx.AsyncClient,
) -> None:
    before = await scrape(client)
    authors = [await new_author(client, f"Name{i}") for i in range(3)]
    for author in authors[:2]:
        assert (await client.get(f"/authors/{author['id']}")).status_code == 200
    assert (await client.get("/books/12345")).status_code == 404
    assert (await client.post("/books", json=book_body(pages=0))).status_code == 422
    assert (await client.get("/no/such/path")).status_code == 404
    # Answered on a copy of the scope (HEAD as GET): matched again for its template, by
    # path, as no route takes HEAD or GET there.
    assert (await client.head("/books/1/authors/2")).status_code == 405

    after = await scrape(client)

    assert requests_counted(before, after) == Counter({
        ("POST", "/authors", "201"): 3,
        ("GET", "/authors/{author_id}", "200"): 2,
        ("GET", "/books/{book_id}", "404"): 1,
        ("POST", "/books", "422"): 1,
        ("GET", "unmatched", "404"): 1,
        ("HEAD", "/books/{book_id}/authors/{author_id}", "405"): 1,
        ("GET", "/metrics", "200"): 1,  # the first scrape, counted once it was answered
    })
    created = {"method": "POST", "route": "/authors", "status": "201"}
    name = "bookshelf_http_request_duration_seconds"
    assert (value(after, f"{name}_bucket", le="+Inf", **created)
            - value(before, f"{name}_bucket", le="+Inf", **created)) == 3
    assert value(after, f"{name}_sum", **created) > value(before, f"{name}_sum", **created)


async def test_a_refused_caller_is_counted_under_the_route_it_asked_for(
    client: httpx.AsyncClient,
) -> None:
    before = await scrape(client)
    response = await client.post("/authors", json={}, headers={"Authorization": ""})
    assert response.status_code == 401

    assert requests_counted(before, await scrape(client)) == Counter({
        ("POST", "/authors", "401"): 1, ("GET", "/metrics", "200"): 1})


async def test_deliveries_are_counted_by_listener_and_outcome_and_the_backlog_shown(
    client: httpx.AsyncClient, metered: ApplicationContainer,
) -> None:
    han, yi, book = await new_author(client), await new_author(client, "Yi"), await new_book(client)
    before = await scrape(client)

    assert (await client.put(f"/books/{book['id']}/authors/{han['id']}")).status_code == 200
    with credit_failing(metered, failures=1):
        assert (await client.put(f"/books/{book['id']}/authors/{yi['id']}")).status_code == 200
    await asyncio.sleep(0.05)  # so that the open publication has an age to show
    after = await scrape(client)

    def delivered(scraped: dict[Sample, float], outcome: str) -> float:
        return value(scraped, "bookshelf_event_deliveries_total",
                     listener="author.credit_book", outcome=outcome)

    assert delivered(after, "delivered") - delivered(before, "delivered") == 1
    assert delivered(after, "failed") - delivered(before, "failed") == 1
    assert value(after, "bookshelf_event_publications_pending") == 1  # the failed one, due later
    assert value(after, "bookshelf_event_publications_failed") == 0
    assert 0.05 <= value(after, "bookshelf_event_publications_oldest_open_age_seconds") < 60


async def test_lost_races_run_again_are_counted_by_operation(
    client: httpx.AsyncClient,
) -> None:
    lost = 0

    async def revise_twice_raced() -> None:
        nonlocal lost
        if lost < 2:
            lost += 1
            raise ConcurrentChange()

    before = await scrape(client)
    await retry_on_conflict(revise_twice_raced)
    after = await scrape(client)

    name = "bookshelf_lost_races_retried_total"
    assert value(after, name, operation="test_metrics") - value(
        before, name, operation="test_metrics") == 2


async def test_the_lease_and_the_connections_in_use_are_shown_for_this_process(
    client: httpx.AsyncClient, metered: ApplicationContainer,
) -> None:
    pid = str(os.getpid())
    async with metered.engine().connect():  # one writers' connection held meanwhile
        scraped = await scrape(client)
    at_rest = await scrape(client)

    assert value(scraped, "bookshelf_worker_lease_held", pid=pid) == 1
    ttl = metered.settings().worker_lease_ttl_s
    assert 0 < value(scraped, "bookshelf_worker_lease_seconds_to_expiry", pid=pid) <= ttl
    assert value(scraped, "bookshelf_database_connections_in_use", pool="writes") == 1
    assert value(at_rest, "bookshelf_database_connections_in_use", pool="writes") == 0
    assert value(at_rest, "bookshelf_database_connections_in_use", pool="reads") == 0


async def test_metrics_are_closed_by_the_write_tokens(client: httpx.AsyncClient) -> None:
    response = await client.get("/metrics", headers={"Authorization": "Bearer wrong"})

    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_off_there_is_no_route(app: FastAPI) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://bookshelf.test") as plain:
        assert_problem(await plain.get("/metrics"), 404)


def test_off_prometheus_is_not_even_imported() -> None:
    check = ("import sys, app; "
             "assert app.app.state.container.metrics() is None; "
             "assert 'prometheus_client' not in sys.modules, 'imported'")
    environment: dict[str, Any] = {k: v for k, v in os.environ.items()
                                   if k != "METRICS_ENABLED"}
    result = subprocess.run([sys.executable, "-c", check], cwd=ROOT, env=environment,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
