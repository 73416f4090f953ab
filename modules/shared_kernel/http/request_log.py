"""One log line per request (method, path, status, duration, request id), and the id back to
the client in X-Request-ID: taken from the request when it sends a sane one, made otherwise."""

import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from modules.shared_kernel.infrastructure.logs import request_id

log = logging.getLogger("bookshelf.requests")
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class RequestLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v.decode("latin-1") for k, v in scope["headers"]
                      if k == b"x-request-id"), "")
        this_id = given if _SANE_ID.fullmatch(given) else uuid.uuid4().hex
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
            log.info("%s %s %d", scope["method"], scope["path"], status, extra={
                "method": scope["method"], "path": scope["path"], "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            })
            request_id.reset(token)
