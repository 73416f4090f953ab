"""Every answer counted and timed, by method, route template and status: `/books/{book_id}`,
never the path asked for (ids would make a series per book).

Pure ASGI and outermost, so answers given before routing (401 from the access check, 413 and
422 from the guard) are counted too. The router leaves the route it picked in the scope; for
those answered before it, or HEAD (answered as GET on a copy of the scope), the route is
matched here as the router would (about 15 microseconds). A path no route has is `unmatched`.
"""

import time
from typing import Any

from fastapi.routing import iter_route_contexts
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from modules.shared_kernel.infrastructure.metrics.service_metrics import ServiceMetrics

UNMATCHED = "unmatched"


class RequestMetrics:
    def __init__(self, app: ASGIApp, *, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # if the app fails before it answers

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            self.metrics.request_served(scope["method"], route_template(scope), status,
                                        time.perf_counter() - started)


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    if route is not None:
        return str(route.path)
    partial: Any = None
    for candidate in iter_route_contexts(scope["app"].routes):
        match, _ = candidate.matches(scope)
        if match is Match.FULL:
            return str(candidate.path)
        if match is Match.PARTIAL and partial is None:  # the path, another method: 405
            partial = candidate
    return str(partial.path) if partial is not None else UNMATCHED
