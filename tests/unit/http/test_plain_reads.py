"""A plain read answers exactly as FastAPI's own handler would: the same routes, served by
both, give the same status, headers and body for good and bad input alike."""

from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request, Response
from pydantic import BaseModel

from modules.shared_kernel.application.ids import IdInput
from modules.shared_kernel.domain.errors import NotFound
from modules.shared_kernel.http.app_routes import add_routes
from modules.shared_kernel.http.plain_reads import PlainReads
from modules.shared_kernel.http.problems import install_problem_handlers
from modules.shared_kernel.http.query_parameters import KnownQueryParameters


class Shelf(BaseModel):
    id: int
    title: str | None
    limit: int


class ShelfMissing(NotFound):
    def __init__(self, shelf_id: int) -> None:
        super().__init__(f"shelf {shelf_id} does not exist")


def routes(route_class: type[KnownQueryParameters]) -> APIRouter:
    router = APIRouter(prefix="/shelves", route_class=route_class)

    @router.get("/{shelf_id}")
    async def one(shelf_id: IdInput, request: Request) -> Response:
        if shelf_id == 404:
            raise ShelfMissing(shelf_id)
        return Response(f"{shelf_id} {request.url.path}", headers={"ETag": '"1"'})

    @router.get("")
    async def page(
        title: Annotated[str | None, Query(max_length=5)] = None,
        limit: Annotated[int, Query(ge=1, le=10)] = 3,
        after: Annotated[IdInput | None, Query()] = None,
    ) -> Response:
        return Response(Shelf(id=after or 0, title=title, limit=limit).model_dump_json(),
                        media_type="application/json")

    @router.get("/{shelf_id}/books/{book_id}")
    async def two(shelf_id: IdInput, book_id: IdInput) -> Response:
        return Response(f"{book_id} on {shelf_id}")

    @router.get("/{shelf_id}/by")
    async def needs_a_header(shelf_id: IdInput, who: Annotated[str, Header()]) -> Response:
        return Response(f"{shelf_id} {who}")

    async def a_dependency() -> str:
        return "given"

    @router.get("/{shelf_id}/with")
    async def with_a_dependency(shelf_id: IdInput,
                                given: Annotated[str, Depends(a_dependency)]) -> Response:
        return Response(f"{shelf_id} {given}")

    @router.get("/{shelf_id}/model")
    async def returns_a_model(shelf_id: IdInput) -> Shelf:
        return Shelf(id=shelf_id, title=None, limit=1)

    return router


def served(route_class: type[KnownQueryParameters]) -> httpx.AsyncClient:
    app = FastAPI()
    install_problem_handlers(app)
    add_routes(app, routes(route_class))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def test_only_plain_reads_are_answered_without_fastapis_handler() -> None:
    router = routes(PlainReads)

    plainly = {route.name: route.served_plainly  # type: ignore[attr-defined]
               for route in router.routes}

    assert plainly == {"one": True, "page": True, "two": True, "needs_a_header": False,
                       "with_a_dependency": False, "returns_a_model": False}


@pytest.mark.parametrize("path", [
    "/shelves/7",
    "/shelves/404",  # a domain error, answered by the problem handlers
    "/shelves/seven",
    "/shelves/-1",
    "/shelves/99999999999999999999999",
    "/shelves/7/books/8",
    "/shelves/7/books/eight",
    "/shelves/seven/books/eight",
    "/shelves",
    "/shelves?title=abc&limit=10&after=5",
    "/shelves?limit=0",
    "/shelves?limit=many&title=abcdefgh&after=x",
    "/shelves?titel=abc",  # unknown: refused before the others are judged
    "/shelves?titel=abc&limit=0",
    "/shelves?limit=2&limit=3",
    "/shelves/7/by",
    "/shelves/7/with",
    "/shelves/7/model",
])
async def test_a_plain_read_answers_as_fastapis_handler_does(path: str) -> None:
    async with served(KnownQueryParameters) as fastapi_handler, \
            served(PlainReads) as plain_handler:
        expected = await fastapi_handler.get(path)
        answered = await plain_handler.get(path)

    assert _seen(answered) == _seen(expected)


def _seen(response: httpx.Response) -> tuple[int, dict[str, str], Any]:
    return response.status_code, dict(response.headers), response.content
