"""Who may write: bearer tokens, configured as SHA-256 hashes, compared in constant time.

Without any configured token everything is open (the embedded demo); the startup log says so.
A route declares its rule by marking its endpoint: `@write`, or `@read`. The AccessFirst
middleware applies it before anything else of the request is judged; `publish_security`
writes it into the published API. The rules were FastAPI dependencies once, resolved on
every request (a write's about 6 % of a new book's CPU, counted), and they only repeated
the middleware's answer.
"""

import hashlib
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer
from starlette.exceptions import HTTPException

log = logging.getLogger("bookshelf")

bearer = HTTPBearer(
    auto_error=False,
    description="A token whose SHA-256 is in API_TOKEN_HASHES. Needed for writes when tokens "
                "are configured, and for reads too when READS_REQUIRE_TOKEN is set.",
)
SCHEME = "HTTPBearer"  # the scheme's name in the published API, as FastAPI named it


@dataclass(frozen=True)
class AccessRules:
    token_hashes: tuple[bytes, ...]
    reads_require_token: bool

    @classmethod
    def from_hex(cls, hashes: list[str], *, reads_require_token: bool) -> "AccessRules":
        return cls(tuple(bytes.fromhex(h) for h in hashes), reads_require_token)

    @property
    def open(self) -> bool:
        return not self.token_hashes

    def admits(self, token: str) -> bool:
        digest = hashlib.sha256(token.encode()).digest()
        matched = False
        for known in self.token_hashes:  # every hash is compared, whichever matches
            matched |= hmac.compare_digest(digest, known)
        return matched

    def announce(self) -> None:
        if self.open:
            log.warning("no API tokens configured: anyone may write (set API_TOKEN_HASHES)")


def refusal() -> HTTPException:
    return HTTPException(401, "a valid bearer token is required",
                         headers={"WWW-Authenticate": 'Bearer realm="bookshelf"'})


Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
_reads: set[Callable[..., Any]] = set()
_writes: set[Callable[..., Any]] = set()


def read(endpoint: Endpoint) -> Endpoint:
    """Declares the route of `endpoint` a read: open, unless READS_REQUIRE_TOKEN closes
    reads."""
    _reads.add(endpoint)
    return endpoint


def write(endpoint: Endpoint) -> Endpoint:
    """Declares the route of `endpoint` a write (or an operator's route): closed to callers
    without a token the rules admit, when tokens are configured."""
    _writes.add(endpoint)
    return endpoint


def needs_token(rules: AccessRules, route: Any) -> bool:
    """Whether `route` asks its caller for a token, given the rules."""
    return not rules.open and _closed(route, reads_closed=rules.reads_require_token)


def _closed(route: Any, *, reads_closed: bool) -> bool:
    """Whether `route` is closed to a caller without a token, once tokens are configured."""
    endpoint = getattr(route, "endpoint", None)
    return endpoint in _writes or (reads_closed and endpoint in _reads)


async def admitted(request: Request) -> bool:
    """The caller sent a token the rules admit."""
    credentials = await bearer(request)
    rules: AccessRules = request.app.state.access
    return credentials is not None and rules.admits(credentials.credentials)


def publish_security(app: FastAPI, rules: AccessRules) -> None:
    """The published API names the bearer scheme, and each operation that needs it (every
    write; the reads too, once READS_REQUIRE_TOKEN closes them): Swagger UI's padlocks."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = plain()
        for route in app.routes:
            if isinstance(route, APIRoute) and route.include_in_schema \
                    and _closed(route, reads_closed=rules.reads_require_token):
                operations = schema["paths"][route.path_format]
                for method in route.methods or ():
                    operations[method.lower()] = _secured(operations[method.lower()])
        schema.setdefault("components", {})["securitySchemes"] = {
            SCHEME: bearer.model.model_dump(mode="json", by_alias=True, exclude_none=True)}
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _secured(operation: dict[str, Any]) -> dict[str, Any]:
    """The operation needing the token, `security` where FastAPI wrote it: after the id."""
    first = [key for key in ("tags", "summary", "description", "operationId", "deprecated")
             if key in operation]
    return {**{key: operation[key] for key in first}, "security": [{SCHEME: []}],
            **{key: value for key, value in operation.items() if key not in first}}
