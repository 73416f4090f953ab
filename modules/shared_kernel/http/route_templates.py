"""The route template a request was answered under, for the request metrics: `/books/{book_id}`,
never the path asked for (ids would make a series per book).

The router leaves the route it picked in the scope. For answers given before routing (401
from the access check, 413 and 422 from the guard), or HEAD (answered as GET on a copy of the
scope), the route is matched here as the router would (about 15 microseconds). A path no
route has is `unmatched`.
"""

from typing import Any

from fastapi.routing import iter_route_contexts
from starlette.routing import Match
from starlette.types import Scope

UNMATCHED = "unmatched"


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
