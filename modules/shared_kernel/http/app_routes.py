"""A module's routes become the app's own routes, as `@app.get` would have made them.

`app.include_router` would keep each router as one node of the app's route list. FastAPI
(since 0.137) then matches a request against every route of each router ahead of the one that
answers, and against the answering router's routes a second time to pick the route. Here that
walk cost a sixth of a book's read (GET /books/{id}, measured in process).

Flattening is sound because the routers used here set everything at the route itself when it is
declared: prefix, tags, dependencies, responses, route class. Nothing is left for an
include to add.

One difference: a route added this way resolves its dependencies with its own router's
`dependency_overrides` (none), not the app's. The service's tests swap the container's
providers instead, as the design card asks; a test that wants `app.dependency_overrides`
must include the router itself.
"""

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute


def add_routes(app: FastAPI, router: APIRouter) -> None:
    for route in router.routes:
        if not isinstance(route, APIRoute):  # an included router carries what an include adds
            raise TypeError(f"{route!r}: only a router's own API routes can be added flat")
        app.router.routes.append(route)
