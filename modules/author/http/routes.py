"""HTTP routes of the Author module: translate requests into use cases and queries."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from modules.author.application.add_author import add_author
from modules.author.application.delete_author import delete_author
from modules.author.application.read_models import AuthorDTO
from modules.author.application.revise_author import AuthorRevision, revise_author
from modules.author.container import AuthorContainer
from modules.author.domain.errors import AuthorNotFound
from modules.author.domain.name import MAX_NAME_PART, Name
from modules.author.http.schemas import AuthorChanges, NewAuthor
from modules.shared_kernel.application.ids import IdInput
from modules.shared_kernel.application.pages import DEFAULT_LIMIT, MAX_LIMIT, Page
from modules.shared_kernel.http.access import read, write
from modules.shared_kernel.http.pages import page_of
from modules.shared_kernel.http.plain_reads import PlainReads
from modules.shared_kernel.http.problems import problem_responses
from modules.shared_kernel.http.responses import ModelResponse, location
from modules.shared_kernel.http.validation import Text
from modules.shared_kernel.http.versions import IfMatch, etag, expected_version

router = APIRouter(prefix="/authors", tags=["authors"], route_class=PlainReads)


def _author_module(request: Request) -> AuthorContainer:
    # Read from the app's container by each route, not resolved as a dependency: FastAPI's
    # dependency resolution was the largest part of a read's CPU (issue 12).
    container: AuthorContainer = request.app.state.container.author
    return container


AuthorId = Annotated[IdInput, "author id"]


async def _shown(authors: AuthorContainer, author_id: int, status_code: int = 200) -> ModelResponse:
    found = await authors.queries().author(author_id)
    if found is None:  # deleted between the change and this read
        raise AuthorNotFound(author_id)
    return ModelResponse(found, status_code, headers=etag(found.version))


@router.post("", name="add_author", response_model=AuthorDTO, status_code=status.HTTP_201_CREATED,
             summary="Register an author",
             responses=problem_responses(401, 413, 422, 503))
@write
async def post_author(body: NewAuthor, request: Request) -> Response:
    authors = _author_module(request)
    author_id = await authors.bus().run(
        add_author, name=Name(body.first_name, body.last_name), biography=body.biography
    )
    response = await _shown(authors, author_id, status.HTTP_201_CREATED)
    response.headers["Location"] = location(request, router.prefix, author_id)
    return response


@router.get("/{author_id}", response_model=AuthorDTO, summary="One author with their books",
            responses=problem_responses(401, 404, 422))
@read
async def get_author(author_id: AuthorId, request: Request) -> Response:
    authors = _author_module(request)
    return await _shown(authors, author_id)


@router.get("", response_model=Page[AuthorDTO], summary="Authors, by name, a page at a time",
            responses=problem_responses(401, 422))
@read
async def list_authors(
    request: Request,
    name: Annotated[
        Text | None,
        Query(max_length=MAX_NAME_PART,
              description="Case-insensitive part of the first or last name."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    after: Annotated[IdInput | None, Query(description="Id of the last author seen.")] = None,
) -> Response:
    authors = _author_module(request)
    found = await authors.queries().authors(name=name, after=after, limit=limit)
    return ModelResponse(page_of(found, request, AuthorDTO))


@router.patch("/{author_id}", name="revise_author", response_model=AuthorDTO,
              summary="Change an author's name or biography",
              responses=problem_responses(401, 404, 409, 412, 413, 422))
@write
async def patch_author(author_id: AuthorId, body: AuthorChanges, request: Request,
                       if_match: IfMatch = None) -> Response:
    authors = _author_module(request)
    revision = AuthorRevision(
        first_name=body.first_name,
        last_name=body.last_name,
        new_biography="biography" in body.model_fields_set,
        biography=body.biography,
    )
    await authors.bus().run(revise_author, author_id, revision,
                            expected_version=expected_version(if_match))
    return await _shown(authors, author_id)


@router.delete("/{author_id}", name="delete_author", status_code=status.HTTP_204_NO_CONTENT,
               summary="Remove an author who is credited on no book",
               responses=problem_responses(401, 404, 409, 412, 422))
@write
async def delete_author_by_id(author_id: AuthorId, request: Request,
                              if_match: IfMatch = None) -> None:
    authors = _author_module(request)
    await authors.bus().run(delete_author, author_id,
                            expected_version=expected_version(if_match))
