"""A request id on every answer and every log line; one log line per request."""

import json
import logging
import os
from typing import Any

import httpx
import pytest
from dependency_injector import providers

from modules.container import ApplicationContainer
from modules.shared_kernel.http.request_log import _made_id
from modules.shared_kernel.infrastructure.logs import configure_logging
from tests.api.catalogue import new_author, new_book


async def test_a_sane_request_id_is_kept_and_returned(client: httpx.AsyncClient) -> None:
    response = await client.get("/books", headers={"X-Request-ID": "trace-42.a:b"})

    assert response.headers["x-request-id"] == "trace-42.a:b"


@pytest.mark.parametrize("given", [None, "", "x" * 200, "bad id with spaces", "<script>"])
async def test_otherwise_an_id_is_made(client: httpx.AsyncClient, given: str | None) -> None:
    headers = {"X-Request-ID": given} if given is not None else {}

    response = await client.get("/books", headers=headers)

    made = response.headers["x-request-id"]
    assert made != given
    assert len(made) == 32
    assert int(made, 16) >= 0


async def test_each_request_is_given_an_id_of_its_own(client: httpx.AsyncClient) -> None:
    made = {(await client.get("/books")).headers["x-request-id"] for _ in range(50)}

    assert len(made) == 50


async def test_each_request_is_one_log_line_with_its_outcome(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="bookshelf.requests"):
        await client.get("/books/0", headers={"X-Request-ID": "one-line"})

    lines = [r for r in caplog.records if r.name == "bookshelf.requests"]
    assert len(lines) == 1
    line = lines[0]
    assert (line.method, line.path, line.status) == ("GET", "/books/0", 422)  # type: ignore[attr-defined]
    assert line.duration_ms >= 0  # type: ignore[attr-defined]
    assert line.request_id == "one-line"  # type: ignore[attr-defined]


def test_json_logs_are_one_object_per_line_with_the_request_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("json", "INFO")
    try:
        logging.getLogger("bookshelf.requests").info(
            "GET /books 200", extra={"method": "GET", "path": "/books", "status": 200,
                                     "duration_ms": 1.5})
        line = capsys.readouterr().err.strip().splitlines()[-1]
    finally:
        configure_logging("text", "INFO")

    record = json.loads(line)
    assert record["level"] == "INFO"
    assert record["logger"] == "bookshelf.requests"
    assert (record["method"], record["path"], record["status"]) == ("GET", "/books", 200)
    assert "request_id" in record


async def test_a_line_logged_deep_inside_a_listener_carries_the_request_id(
    client: httpx.AsyncClient, container: ApplicationContainer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The Author module's listener runs after the Book module's commit, in its own unit of
    # work, several calls below the route: its lines still belong to the request.
    real = container.author.credit_book()

    async def listener_that_logs(uow: Any, event: Any) -> None:
        logging.getLogger("bookshelf.tests.deep").warning("applying credit of %s", event.book_id)
        await real(uow, event)

    han, book = await new_author(client), await new_book(client)
    configure_logging("json", "INFO")
    try:
        with container.author.credit_book.override(providers.Object(listener_that_logs)):
            await client.put(f"/books/{book['id']}/authors/{han['id']}",
                             headers={"X-Request-ID": "deep-42"})
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()
                 if line.startswith("{")]
    finally:
        configure_logging("text", "INFO")

    deep = [line for line in lines if line["logger"] == "bookshelf.tests.deep"]
    assert [line["message"] for line in deep] == [f"applying credit of {book['id']}"]
    assert deep[0]["request_id"] == "deep-42"


def test_a_forked_worker_makes_ids_of_its_own() -> None:
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the forked worker
        os.write(writer, _made_id().encode())
        os._exit(0)
    os.close(writer)
    os.waitpid(child, 0)
    made_by_the_child = os.read(reader, 64).decode()
    os.close(reader)

    assert len(made_by_the_child) == 32
    assert made_by_the_child != _made_id()  # without a reseed, both would make the same next id
