"""Plain reads answered without FastAPI's generic request handler.

FastAPI's handler serves every kind of endpoint: JSON and form bodies, dependencies (with
`yield` too, behind two exit stacks a request), background tasks, streams, response models
to validate and serialise. A plain read needs none of it: its endpoint takes the request and
its path and query parameters, and returns a finished Response. For such an endpoint the
route's ASGI app is `answer` below, which validates the parameters with FastAPI's own
function (the same checks, the same errors, answered by the same problem handlers) and calls
the endpoint. FastAPI's handler was about a fifth of a book's read in process (issue 12).

Every other route, and any read that stops being plain (a dependency, a header, a body), keeps
FastAPI's handler: `plain_read` decides when the route is built. The route is matched,
documented and listed by FastAPI as before.
"""

from collections.abc import Awaitable, Callable
from inspect import isclass, iscoroutinefunction
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_typed_return_annotation, request_params_to_args
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from modules.shared_kernel.http.query_parameters import (
    KnownQueryParameters,
    refuse_unknown_query_parameters,
)


class PlainReads(KnownQueryParameters):
    """An API route that answers a plain read itself (see the module); unknown query
    parameters are refused either way."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        super().__init__(path, endpoint, **options)
        plain = plain_read(self)
        self.served_plainly = plain is not None
        self.app = plain or self.app


def plain_read(route: APIRoute) -> ASGIApp | None:
    """The ASGI app that answers `route`, if it is a plain read; None for any other."""
    dependant = route.dependant
    if not _is_plain(route, dependant):
        return None
    endpoint: Callable[..., Awaitable[Response]] = dependant.call  # type: ignore[assignment]
    path_fields, query_fields = dependant.path_params, dependant.query_params
    in_path = [(field.name, field.alias, field) for field in path_fields]
    request_name = dependant.request_param_name

    def path_values(given: dict[str, str]) -> tuple[dict[str, Any], list[Any]]:
        # A path parameter is always there once the route matched: each is validated alone,
        # and FastAPI's function (which also looks for defaults, aliases and lists, on every
        # call) words the errors when one is invalid.
        values: dict[str, Any] = {}
        for name, alias, field in in_path:
            values[name], errors = field.validate(given[alias], values, loc=("path", alias))
            if errors:
                return request_params_to_args(path_fields, given)
        return values, []

    async def answer(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        if scope["query_string"]:
            refuse_unknown_query_parameters(request)
        values, errors = path_values(scope["path_params"])
        if query_fields:
            found, query_errors = request_params_to_args(query_fields, request.query_params)
            values.update(found)
            errors += query_errors
        if errors:
            raise RequestValidationError(errors)
        if request_name is not None:
            values[request_name] = request
        # Raised errors go to the app's exception handlers, as from FastAPI's handler.
        response = await endpoint(**values)
        await response(scope, receive, send)

    return answer


def _is_plain(route: APIRoute, dependant: Dependant) -> bool:
    returns = get_typed_return_annotation(dependant.call) if dependant.call else None
    return (
        route.methods == {"GET"}
        and iscoroutinefunction(dependant.call)
        and isclass(returns) and issubclass(returns, Response)
        and all(field.field_info.validation_alias is None for field in dependant.path_params)
        and not (dependant.dependencies or dependant.header_params or dependant.cookie_params
                 or dependant.body_params or route.body_field)
        and not (dependant.background_tasks_param_name or dependant.response_param_name
                 or dependant.websocket_param_name or dependant.http_connection_param_name
                 or dependant.security_scopes_param_name)
    )
