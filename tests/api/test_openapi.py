"""The published API description: what Swagger UI and client generators read."""

import re
from typing import Any

import httpx
import pytest

from modules.shared_kernel.application.ids import ID_PATTERN


@pytest.fixture
async def openapi(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def operations(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, op) for path, item in openapi["paths"].items()
            for method, op in item.items()]


def test_every_route_is_published(openapi: dict[str, Any]) -> None:
    published = {(method, path) for method, path, _ in operations(openapi)}

    assert published == {
        ("GET", "/health/live"), ("GET", "/health/ready"),
        ("GET", "/admin/event-publications"),
        ("POST", "/admin/event-publications/{publication_id}/resubmit"),
        ("POST", "/authors"), ("GET", "/authors"), ("GET", "/authors/{author_id}"),
        ("PATCH", "/authors/{author_id}"), ("DELETE", "/authors/{author_id}"),
        ("POST", "/books"), ("GET", "/books"), ("GET", "/books/{book_id}"),
        ("PATCH", "/books/{book_id}"), ("DELETE", "/books/{book_id}"),
        ("PUT", "/books/{book_id}/authors/{author_id}"),
        ("DELETE", "/books/{book_id}/authors/{author_id}"),
    }


def test_routes_are_tagged_by_module(openapi: dict[str, Any]) -> None:
    for _, path, op in operations(openapi):
        module = path.split("/")[1]
        assert op["tags"] == [module if module in ("books", "authors") else "operations"]


def test_every_route_documents_its_errors_as_problems(openapi: dict[str, Any]) -> None:
    for method, path, op in operations(openapi):
        errors = {code: r for code, r in op["responses"].items() if code.startswith("4")}
        if op.get("parameters") or op.get("requestBody"):
            assert "422" in errors, (method, path)
        for response in errors.values():
            assert "application/problem+json" in response["content"], (method, path)
        if "{" in path:
            assert "404" in errors, (method, path)


def test_every_request_body_has_an_example(openapi: dict[str, Any]) -> None:
    schemas = openapi["components"]["schemas"]
    for method, path, op in operations(openapi):
        if "requestBody" in op:
            ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            assert schemas[ref.rsplit("/", 1)[1]].get("examples"), (method, path)


async def test_every_request_body_example_is_accepted(
    client: httpx.AsyncClient, openapi: dict[str, Any],
) -> None:
    """What Swagger UI's "Try it out" sends first: each body example, as published, creates
    or changes what it says (the examples of new things first, then the changes to them)."""
    schemas = openapi["components"]["schemas"]
    bodies = sorted(
        ((method, path, schemas[op["requestBody"]["content"]["application/json"]["schema"]
                                ["$ref"].rsplit("/", 1)[1]]["examples"][0])
         for method, path, op in operations(openapi) if "requestBody" in op),
        key=lambda body: body[0] != "POST")
    made: dict[str, str] = {}
    for method, path, example in bodies:
        if "{publication_id}" in path:
            continue  # an operator's route, about a failed delivery: none here
        concrete = re.sub(r"\{(\w+)_id\}", lambda m: made[m.group(1) + "s"], path)
        response = await client.request(method, concrete, json=example)

        assert response.status_code in (200, 201), (method, path, response.json())
        if method == "POST":
            made[path.strip("/")] = response.json()["id"]


def test_ids_are_published_as_strings_of_digits(openapi: dict[str, Any]) -> None:
    schemas = openapi["components"]["schemas"]
    for name in ("BookDTO", "AuthorDTO", "BookAuthorDTO", "AuthorBookDTO"):
        assert schemas[name]["properties"]["id"]["type"] == "string", name
        assert schemas[name]["properties"]["id"]["pattern"] == ID_PATTERN
    for _, path, op in operations(openapi):
        for parameter in op.get("parameters", []):
            if parameter["name"].endswith("_id"):
                assert parameter["schema"]["type"] == "string", path


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_the_documentation_pages_load_nothing_from_other_hosts(
    client: httpx.AsyncClient, page: str
) -> None:
    html = (await client.get(page)).text
    assets = re.findall(r'(?:src|href)=["\']([^"\']+)["\']', html) + re.findall(
        r'url: ?["\']([^"\']+)["\']', html)

    assert assets
    for asset in assets:
        assert not asset.startswith(("http://", "https://", "//")), asset
        if asset.endswith((".js", ".css")):
            assert (await client.get(asset)).status_code == 200, asset
