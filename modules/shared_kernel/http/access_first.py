"""Who may call is settled before anything the caller sent is judged.

Left to FastAPI, a caller without a token learned what was wrong with its input before it
learned it may not call at all: the request guard reads the body before routing (413, UTF-8),
FastAPI parses a JSON body before it runs any dependency, and a route checks its query
parameters before either. This middleware sits outside the guard, finds the route the router will
pick, and applies the rule that route declares (`@write` or `@read`, see access.py) first. So
a refused caller gets 401 whatever it sent, and its body is never read.

The rules are applied here only: a route without this middleware in front of it is open.
"""

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from modules.shared_kernel.http.access import admitted, needs_token, refusal
from modules.shared_kernel.http.problems import problem
from modules.shared_kernel.http.route_matching import routed


class AccessFirst:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and await self._refuses(scope):
            await _refused(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _refuses(self, scope: Scope) -> bool:
        rules = scope["app"].state.access
        if rules.open:  # no route to look for, no request to read: the open demo pays nothing
            return False
        # No route: the router answers 404 or 405, which reveal nothing.
        route, _ = routed(scope)
        return needs_token(rules, route) and not await admitted(Request(scope))


async def _refused(scope: Scope, receive: Receive, send: Send) -> None:
    error = refusal()
    response = problem(error.status_code, error.detail)
    response.headers.update(error.headers or {})
    await response(scope, receive, send)
