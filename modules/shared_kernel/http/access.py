"""Who may write: bearer tokens, configured as SHA-256 hashes, compared in constant time.

Without any configured token everything is open (the embedded demo); the startup log says so.
A route declares its rule: `dependencies=WRITE`, or `@read` on its endpoint. The AccessFirst
middleware applies it before anything else of the request is judged; a write's dependency
checks again and publishes the bearer scheme in the schema.
"""

import hashlib
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

log = logging.getLogger("bookshelf")

bearer = HTTPBearer(
    auto_error=False,
    description="A token whose SHA-256 is in API_TOKEN_HASHES. Needed for writes when tokens "
                "are configured, and for reads too when READS_REQUIRE_TOKEN is set.",
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


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


def _check(request: Request, credentials: HTTPAuthorizationCredentials | None) -> None:
    rules: AccessRules = request.app.state.access
    if rules.open or (credentials is not None and rules.admits(credentials.credentials)):
        return
    raise refusal()


async def writer(request: Request, credentials: Credentials) -> None:
    _check(request, credentials)


Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
_reads: set[Callable[..., Any]] = set()


def read(endpoint: Endpoint) -> Endpoint:
    """Declares the route of `endpoint` a read: open, unless READS_REQUIRE_TOKEN closes reads
    (then `publish_read_security` declares it on every read). A mark that AccessFirst reads,
    not a dependency as a write's rule is: FastAPI resolves a route's dependencies on every
    request, about 7 % of a book's read here, and a read's rule needs nothing they give."""
    _reads.add(endpoint)
    return endpoint


def needs_token(rules: AccessRules, route: Any) -> bool:
    """Whether `route` asks its caller for a token, given the rules."""
    if rules.open:
        return False
    declared = {d.dependency for d in getattr(route, "dependencies", None) or ()}
    return writer in declared or (rules.reads_require_token
                                  and getattr(route, "endpoint", None) in _reads)


async def admitted(request: Request) -> bool:
    """The caller sent a token the rules admit (what `writer` checks, as a yes or no)."""
    credentials = await bearer(request)
    rules: AccessRules = request.app.state.access
    return credentials is not None and rules.admits(credentials.credentials)


def publish_read_security(app: FastAPI) -> None:
    """With reads closed, the published API says so (Swagger UI's padlocks included)."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        schema = plain()
        for path, operations in schema.get("paths", {}).items():
            if not path.startswith("/health") and "get" in operations:
                operations["get"]["security"] = [{"HTTPBearer": []}]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


WRITE = [Depends(writer)]
