"""Every error the service answers with, in one shape: RFC 9457 problem details.

    {"type": "urn:bookshelf:problem:isbn-already-used", "title": "Conflict", "status": 409,
     "detail": "another book already has ISBN 9788937460449",
     "errors": [{"in": "body", "field": "isbn", "message": "..."}]}

`errors` is there for invalid input only. No response carries a stack trace, SQL, or values
from the database layer.
"""

import logging
import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from modules.shared_kernel.domain.errors import (
    Conflict,
    DomainError,
    InvalidValue,
    NotFound,
    VersionMismatch,
)
from modules.shared_kernel.domain.snowflake import IdsUnavailable
from modules.shared_kernel.http.unreadable_json import unreadable_json
from modules.shared_kernel.infrastructure.logs import request_id

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:bookshelf:problem:"

log = logging.getLogger(__name__)


class FieldError(BaseModel):
    in_: str = Field(alias="in", description="body, path or query")
    field: str = Field(description="dotted path of the field, e.g. price.amount")
    message: str


class Problem(BaseModel):
    type: str = Field(description="A URI naming the kind of problem.")
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = Field(
        None, description="For invalid input: each bad field and what is wrong with it."
    )


# Fixed names for problems that come from HTTP itself: the `type` URI must not change when
# Python renames a status phrase (3.13 calls 413 "Content Too Large").
HTTP_KINDS = {400: "bad-request", 401: "unauthorized", 404: "not-found",
              405: "method-not-allowed", 413: "body-too-large", 500: "internal-error"}


def problem(
    status: int, detail: str, *, kind: str | None = None, errors: list[dict[str, str]] | None = None
) -> JSONResponse:
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + (kind or HTTP_KINDS.get(status, f"http-{status}")),
        "title": phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route: each error status it can answer, documented as a Problem."""
    return {
        status: {
            "model": Problem,
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


def _slug(name: str) -> str:
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")


def _field_errors(error: RequestValidationError) -> list[dict[str, str]]:
    errors = []
    for item in error.errors():
        where, *path = [str(part) for part in item.get("loc", ())] or ["body"]
        message = str(item.get("msg", "invalid value")).removeprefix("Value error, ")
        if item.get("type") == "json_invalid":
            message, path = "the body is not valid JSON", []
        errors.append({"in": where, "field": ".".join(path), "message": message})
    return errors


async def _invalid_request(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = _field_errors(error)
    return problem(422, "the request is not valid; see errors", kind="invalid-request",
                   errors=errors)


async def _bad_request(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    failure = error.__cause__
    if isinstance(failure, ValueError | RecursionError):
        # FastAPI could not parse a JSON body (it raises its 400 `from` the parser's error): a
        # number too long for int() or nesting too deep. Invalid input, so 422 on the field.
        # The body was read before it was parsed; the request keeps it.
        errors = unreadable_json(await request.body(), failure)
        return problem(422, "the request is not valid; see errors", kind="invalid-request",
                       errors=errors)
    return await _http_error(request, error)


async def _domain_error(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    kind = error.kind or _slug(type(error).__name__)
    if isinstance(error, InvalidValue):
        field_errors = [{"in": "body", "field": error.field or "", "message": error.message}]
        return problem(422, error.message, kind=kind, errors=field_errors)
    if isinstance(error, NotFound):
        return problem(404, error.message, kind=kind)
    if isinstance(error, Conflict):
        return problem(409, error.message, kind=kind)
    if isinstance(error, VersionMismatch):
        return problem(412, error.message, kind="version-mismatch")
    return problem(400, error.message, kind=kind)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    detail = error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
    response = problem(error.status_code, detail)
    response.headers.update(error.headers or {})
    if error.status_code == 405:
        # Starlette names only the first route that matched the path (POST for /books).
        response.headers["Allow"] = ", ".join(sorted(_methods_at(request)))
    return response


def _methods_at(request: Request) -> set[str]:
    """The methods the published API offers at this request's path."""
    for template, operations in request.app.openapi()["paths"].items():
        pattern, _, _ = compile_path(template)
        if pattern.match(request.url.path):
            methods = {method.upper() for method in operations}
            return methods | {"HEAD"} if "GET" in methods else methods
    return set()


async def _ids_unavailable(_request: Request, error: Exception) -> JSONResponse:
    log.error("cannot make ids: %s", error)
    response = problem(503, "the service cannot make new ids right now; retry shortly",
                       kind="ids-unavailable")
    response.headers["Retry-After"] = "1"
    return response


# PostgreSQL refusing a connection for now: too many clients, or starting up / shutting down.
_NOT_NOW = {"53300", "57P03"}


def _database_unreachable(error: Exception) -> bool:
    if isinstance(error, OperationalError | InterfaceError | PoolTimeout | OSError | TimeoutError):
        return True
    return isinstance(error, DBAPIError) and (
        error.connection_invalidated or getattr(error.orig, "sqlstate", None) in _NOT_NOW)


async def _database_unavailable(_request: Request, error: Exception) -> JSONResponse:
    log.error("the database is unavailable: %s: %s", type(error).__name__, error)
    response = problem(503, "the database is unavailable; retry shortly",
                       kind="database-unavailable")
    response.headers["Retry-After"] = "2"
    return response


async def _database_error(request: Request, error: Exception) -> JSONResponse:
    if _database_unreachable(error):
        return await _database_unavailable(request, error)
    return await _unexpected(request, error)


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    # Starlette runs this handler outside every middleware: the request log has finished
    # with the request's id, which it left in the request's state.
    token = request_id.set(getattr(request.state, "request_id", None))
    try:
        log.exception("unhandled error", exc_info=error)
        request.app.state.container.error_reports().unhandled(error)
    finally:
        request_id.reset(token)
    return problem(500, "the service failed to answer; the error has been logged")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(400, _bad_request)  # before _http_error, for 400s only
    app.add_exception_handler(IdsUnavailable, _ids_unavailable)
    # Registered by class, so they are answered without the catch-all's re-raise: a lost
    # database is an expected condition, not a crash to report per request.
    for database_failure in (DBAPIError, PoolTimeout, OSError):
        app.add_exception_handler(database_failure, _database_error)
    app.add_exception_handler(Exception, _unexpected)
