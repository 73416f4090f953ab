"""The route a request is answered under, found as the router finds it, for the middleware
that runs before routing: the access check (which rule the route declares) and the request
metrics (its template: `/books/{book_id}`, never the path asked for, since ids would make a
series per book).

Matching cost about 15 microseconds a request while the routers were included (measured
here; less since their routes are the app's own); each caller does it only when it must. The
router itself leaves the route it picked in the scope.
"""

from typing import Any

from fastapi.routing import iter_route_contexts
from starlette.routing import Match
from starlette.types import Scope

UNMATCHED = "unmatched"


def routed(scope: Scope) -> tuple[Any, Any]:
    """The route the router will pick (the first that matches in full), and, when none does,
    the first that matches the path under another method (the router's 405); None for
    either that is not there."""
    partial: Any = None
    for candidate in iter_route_contexts(scope["app"].routes):
        match, _ = candidate.matches(scope)
        if match is Match.FULL:
            return candidate, None
        if match is Match.PARTIAL and partial is None:
            partial = candidate
    return None, partial


def route_template(scope: Scope) -> str:
    """The template of the route that answered, or would have answered before routing (401
    from the access check, 413 and 422 from the guard) or on a copy of the scope (HEAD,
    answered as GET); `unmatched` for a path no route has."""
    route = scope.get("route")
    if route is None:
        route, partial = routed(scope)
        route = route or partial
    return str(route.path) if route is not None else UNMATCHED
