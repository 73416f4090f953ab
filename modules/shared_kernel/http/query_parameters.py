"""Unknown query parameters are refused, as unknown body fields are: a typo such as
`?titel=` must not silently return everything."""

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

_known: dict[int, frozenset[str]] = {}


async def only_known_query_parameters(request: Request) -> None:
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
