"""A request id on every answer and every log line; one log line per request."""

import json
import logging

import httpx
import pytest

from modules.shared_kernel.infrastructure.logs import configure_logging


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
