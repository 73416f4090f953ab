"""One log line per request (method, path, status, duration, request id), and the id back to
the client in X-Request-ID: taken from the request when it sends a sane one, made otherwise.
With METRICS_ENABLED the same reading of status and duration is counted too, by route
template (route_matching.py): one wrapper per request, not one for each.

Pure ASGI and the outermost of the service's middleware, so answers given before routing
(401 from the access check, 413 and 422 from the guard) are logged and counted too."""

import logging
import os
import random
import re
import time
from typing import TYPE_CHECKING

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from modules.shared_kernel.http.route_matching import route_template
from modules.shared_kernel.infrastructure.logs import request_id

if TYPE_CHECKING:  # off, the metrics' module (and prometheus-client) is never loaded
    from modules.shared_kernel.infrastructure.metrics.service_metrics import ServiceMetrics

log = logging.getLogger("bookshelf.requests")
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


# Seeded from the kernel's random source, once, and again in each forked worker (workers
# forked from one parent would otherwise make the same ids); its own, so an application's
# random.seed() cannot make ids repeat.
_ids = random.Random()
os.register_at_fork(after_in_child=_ids.seed)


def _made_id() -> str:
    """128 random bits in hex, as uuid4().hex wrote them, without uuid4's read of the
    kernel's random source on every request (2 % of a read's CPU under load). An id to follow
    a request by, not a secret."""
    return f"{_ids.getrandbits(128):032x}"


class RequestLog:
    def __init__(self, app: ASGIApp, *, metrics: "ServiceMetrics | None" = None) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v.decode("latin-1") for k, v in scope["headers"]
                      if k == b"x-request-id"), "")
        this_id = given if _SANE_ID.fullmatch(given) else _made_id()
        token = request_id.set(this_id)
        # For the handler of unexpected errors, which runs outside this middleware, after it.
        scope.setdefault("state", {})["request_id"] = this_id
        started = time.perf_counter()
        status = 500  # if the app fails before it answers

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("X-Request-ID", this_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            log.info("%s %s %d", scope["method"], scope["path"], status, extra={
                "method": scope["method"], "path": scope["path"], "status": status,
                "duration_ms": round(seconds * 1000, 2),
            })
            if self.metrics is not None:
                self.metrics.request_served(scope["method"], route_template(scope), status,
                                            seconds)
            request_id.reset(token)
