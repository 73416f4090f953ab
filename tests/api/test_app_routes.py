"""The module routers' routes, added flat to the app, publish and route exactly as the same
routers included would."""

from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from app import ROUTERS
from modules.shared_kernel.http.app_routes import add_routes
from modules.shared_kernel.http.metrics import router as metrics_routes


def table(app: FastAPI) -> list[tuple[Any, ...]]:
    return [(c.path, sorted(c.methods or ()), c.name, c.tags, c.dependencies, c.responses)
            for c in iter_route_contexts(app.routes) if isinstance(c.original_route, APIRoute)]


def test_added_flat_the_routes_are_those_an_include_makes() -> None:
    included, flat = FastAPI(), FastAPI()
    for router in (metrics_routes, *ROUTERS):
        included.include_router(router)
        add_routes(flat, router)

    assert table(flat) == table(included)
    assert flat.openapi() == included.openapi()


def test_a_router_that_includes_another_is_refused() -> None:
    outer, inner = APIRouter(), APIRouter(prefix="/inner")
    inner.add_api_route("/x", lambda: None)
    outer.include_router(inner)

    with pytest.raises(TypeError, match="flat"):
        add_routes(FastAPI(), outer)


def test_the_modules_reads_are_answered_without_fastapis_handler() -> None:
    plain = {route.path for router in ROUTERS for route in router.routes
             if getattr(route, "served_plainly", False)}

    assert plain == {"/books", "/books/{book_id}", "/authors", "/authors/{author_id}"}
