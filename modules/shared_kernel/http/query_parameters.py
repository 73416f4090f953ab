"""Unknown query parameters are refused, as unknown body fields are: a typo such as
`?titel=` must not silently return everything.

The check is made by the routes themselves (`route_class=KnownQueryParameters` on each
router), before FastAPI reads anything else of the request, and only when a query string
was sent: as an app-wide dependency it cost every request a dependency to resolve, the
reads that send no query string included."""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

_known: dict[int, frozenset[str]] = {}

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class KnownQueryParameters(APIRoute):
    """An API route that answers 422 to a query parameter it does not declare."""

    def get_route_handler(self) -> Handler:
        handle = super().get_route_handler()

        async def checked(request: Request) -> Response:
            if request.scope["query_string"]:
                refuse_unknown_query_parameters(request)
            return await handle(request)

        return checked


def refuse_unknown_query_parameters(request: Request) -> None:
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None or not request.query_params:
        return
    known = _known.get(id(route))
    if known is None:
        known = _known[id(route)] = frozenset(_query_parameters(dependant))
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise RequestValidationError([
            {"type": "extra_forbidden", "loc": ("query", name), "msg": "unknown query parameter"}
            for name in unknown
        ])


def _query_parameters(dependant: Any) -> set[str]:
    """The query parameters a route declares, its dependencies' included."""
    names = {field.alias for field in dependant.query_params}
    for dependency in dependant.dependencies:
        names |= _query_parameters(dependency)
    return names
