"""Who may write: bearer tokens, and CORS."""

import hashlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from dependency_injector import providers
from fastapi import FastAPI
from fastapi.routing import APIRoute

from app import create_app
from modules.container import ApplicationContainer
from modules.settings import Settings
from modules.shared_kernel.http.access import AccessRules, needs_token
from tests.api.catalogue import assert_problem

TOKEN = "s3cret-writer-token"
TOKEN_HASH = hashlib.sha256(TOKEN.encode()).hexdigest()
WRITE = {"Authorization": f"Bearer {TOKEN}"}


async def client_for(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def started(database_url: str, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    container = ApplicationContainer()
    container.settings.override(providers.Object(Settings(database_url=database_url, **settings)))
    application = create_app(container)
    async with LifespanManager(application), await client_for(application) as client:
        yield client


@pytest.fixture
async def guarded(app: FastAPI, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The service with one writer token configured (`app` migrates and cleans the db)."""
    async for client in started(database_url, api_token_hashes=[TOKEN_HASH]):
        yield client


@pytest.fixture
async def closed(app: FastAPI, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async for client in started(database_url, api_token_hashes=[TOKEN_HASH],
                                reads_require_token=True):
        yield client


@pytest.fixture
async def cors(app: FastAPI, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async for client in started(database_url, cors_allow_origins=["https://shelf.example"]):
        yield client


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"},
                                     {"Authorization": f"Basic {TOKEN}"},
                                     {"Authorization": "Bearer"}])
async def test_a_write_without_a_valid_token_is_401_and_changes_nothing(
    guarded: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await guarded.post("/authors", json={"first_name": "Han", "last_name": "Kang"},
                                  headers=headers)

    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert (await guarded.get("/authors")).json()["items"] == []


NAME = b'{"first_name": "Han", "last_name": "Kang"}'


@pytest.mark.parametrize(("path", "body"), [
    ("/authors?unknown=1", NAME),                            # an unknown query parameter
    ("/authors?name=%FF", NAME),                             # a query that is not UTF-8
    ("/authors", b'{"first_name": '),                        # not JSON
    ("/authors", b'{"first_name": "\xff\xfe"}'),             # not UTF-8
    ("/authors", b'{"first_name": 1}'),                      # invalid fields
    ("/books", b'{"pages": ' + b"9" * 5000 + b"}"),          # a number too long to read
    ("/books", b"[" * 100_000 + b"]" * 100_000),             # nesting too deep to read
    ("/books", b'{"title": "' + b"x" * 2 * 1024 * 1024 + b'"}'),  # over MAX_BODY_BYTES
])
async def test_a_write_without_a_token_is_401_whatever_it_sends(
    guarded: httpx.AsyncClient, path: str, body: bytes
) -> None:
    response = await guarded.post(path, content=body,
                                  headers={"content-type": "application/json"})

    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_with_the_token_the_same_mistakes_are_judged(guarded: httpx.AsyncClient) -> None:
    response = await guarded.post("/authors?unknown=1", content=NAME,
                                  headers={**WRITE, "content-type": "application/json"})

    problem = assert_problem(response, 422, "invalid-request")
    assert problem["errors"][0]["field"] == "unknown"


@pytest.mark.parametrize("path", ["/books?unknown=1", "/books?title=%FF", "/books?limit=ten",
                                  "/books/not-an-id", "/books/1", "/authors/0?unknown=1",
                                  "/authors/1", "/authors"])
async def test_a_closed_read_without_a_token_is_401_whatever_it_asks(
    closed: httpx.AsyncClient, path: str
) -> None:
    assert_problem(await closed.get(path), 401, "unauthorized")


async def test_every_kind_of_write_needs_the_token(guarded: httpx.AsyncClient) -> None:
    made = await guarded.post("/authors", json={"first_name": "Han", "last_name": "Kang"},
                              headers=WRITE)
    author = made.json()

    assert made.status_code == 201
    at = f"/authors/{author['id']}"
    for method, path in [("PATCH", at), ("DELETE", at), ("PATCH", "/books/1"),
                         ("PUT", f"/books/1/authors/{author['id']}"),
                         ("DELETE", f"/books/1/authors/{author['id']}"), ("DELETE", "/books/1"),
                         ("POST", "/books"), ("POST", "/admin/event-publications/1/resubmit"),
                         ("GET", "/admin/event-publications")]:
        assert_problem(await guarded.request(method, path, json={}), 401)
    assert (await guarded.get(f"/authors/{author['id']}")).status_code == 200


def test_every_route_that_changes_something_is_closed_by_the_tokens(app: FastAPI) -> None:
    rules = AccessRules.from_hex([TOKEN_HASH], reads_require_token=False)
    changing = [route for route in app.routes
                if isinstance(route, APIRoute) and (route.methods or set()) - {"GET", "HEAD"}]

    assert len(changing) > 8
    assert [route.path for route in changing if not needs_token(rules, route)] == []


async def test_reads_stay_open_unless_closed(guarded: httpx.AsyncClient,
                                             closed: httpx.AsyncClient) -> None:
    assert (await guarded.get("/books")).status_code == 200
    assert_problem(await closed.get("/books"), 401)
    assert (await closed.get("/books", headers=WRITE)).status_code == 200
    assert (await closed.get("/health/live")).status_code == 200  # probes never need one


async def test_without_tokens_everything_is_open(client: httpx.AsyncClient) -> None:
    response = await client.post("/authors", json={"first_name": "Han", "last_name": "Kang"})

    assert response.status_code == 201


async def test_swagger_ui_can_authorize_with_a_bearer_token(client: httpx.AsyncClient) -> None:
    openapi = (await client.get("/openapi.json")).json()

    assert openapi["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    create = openapi["paths"]["/books"]["post"]
    assert create["security"] == [{"HTTPBearer": []}]
    assert "401" in create["responses"]
    assert "security" not in openapi["paths"]["/books"]["get"]  # reads are open


async def test_closed_reads_are_published_as_needing_the_token(closed: httpx.AsyncClient) -> None:
    openapi = (await closed.get("/openapi.json", headers=WRITE)).json()

    assert openapi["paths"]["/books"]["get"]["security"] == [{"HTTPBearer": []}]
    assert "security" not in openapi["paths"]["/health/live"]["get"]


async def test_a_closed_read_is_401_for_head_too(closed: httpx.AsyncClient) -> None:
    response = await closed.head("/books")

    assert response.status_code == 401
    assert response.content == b""


def test_a_token_hash_must_be_a_sha256_digest() -> None:
    with pytest.raises(ValueError, match="64 hex characters"):
        Settings(api_token_hashes=["not-a-hash"])


def test_token_hashes_and_origins_read_as_comma_separated_lists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("API_TOKEN_HASHES", f"{TOKEN_HASH}, {'0' * 64}")
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "https://a.example,https://b.example")

    settings = Settings()

    assert settings.api_token_hashes == [TOKEN_HASH, "0" * 64]
    assert settings.cors_allow_origins == ["https://a.example", "https://b.example"]


async def test_cors_is_closed_by_default(client: httpx.AsyncClient) -> None:
    response = await client.options("/books", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})

    assert "access-control-allow-origin" not in response.headers


async def test_cors_admits_the_configured_origins_only(cors: httpx.AsyncClient) -> None:
    allowed = await cors.options("/books", headers={
        "Origin": "https://shelf.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type"})
    refused = await cors.get("/books", headers={"Origin": "https://evil.example"})

    assert allowed.headers["access-control-allow-origin"] == "https://shelf.example"
    assert "access-control-allow-origin" not in refused.headers


async def test_an_open_service_says_so_when_it_starts(
    app: FastAPI, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async for _ in started(database_url):
        pass

    assert "no API tokens configured: anyone may write" in caplog.text


async def test_a_guarded_service_does_not_warn(
    app: FastAPI, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async for _ in started(database_url, api_token_hashes=[TOKEN_HASH]):
        pass

    assert "anyone may write" not in caplog.text
