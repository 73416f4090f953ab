"""Operator routes: list event publications, and resubmit the ones given up on."""

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from modules.shared_kernel.application.ids import Id, IdInput
from modules.shared_kernel.application.pages import DEFAULT_LIMIT, MAX_LIMIT, Page
from modules.shared_kernel.domain.errors import Conflict, NotFound
from modules.shared_kernel.http.access import write
from modules.shared_kernel.http.pages import next_page_link
from modules.shared_kernel.http.problems import problem_responses
from modules.shared_kernel.http.query_parameters import KnownQueryParameters

router = APIRouter(prefix="/admin/event-publications", tags=["operations"],
                   route_class=KnownQueryParameters)


class EventPublicationDTO(BaseModel):
    id: Id
    event_type: str
    schema_version: int
    payload: dict[str, Any] = Field(
        description="The event's fields; ids (`book_id`, `author_ids`, ...) as strings of digits.")
    aggregate_id: Id
    listener: str
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime
    completed_at: datetime | None
    failed_at: datetime | None = Field(description="When it was given up on, if it was.")


class PublicationNotFound(NotFound):
    def __init__(self, publication_id: int) -> None:
        super().__init__(f"there is no event publication {publication_id}")


class PublicationNotFailed(Conflict):
    def __init__(self, publication_id: int) -> None:
        super().__init__(f"event publication {publication_id} has not been given up on")


def ids_as_strings(payload: dict[str, Any]) -> dict[str, Any]:
    """A stored event's fields with its ids as the API shows every id: strings of digits
    (snowflakes exceed 2^53, and JavaScript rounds such numbers). Ids are told by their
    field's name (`*_id`, `*_ids`), not by the event's class, so a payload whose type or
    schema no code reads any more (the very ones an operator looks at) shows them so too."""

    def shown(name: str, value: Any) -> Any:
        if name.endswith("_id") and _is_number(value):
            return str(value)
        if name.endswith("_ids") and isinstance(value, list):
            return [str(item) if _is_number(item) else item for item in value]
        return value

    return {name: shown(name, value) for name, value in payload.items()}


def _is_number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _shown(row: dict[str, Any]) -> EventPublicationDTO:
    def time(ms: int | None) -> datetime | None:
        return None if ms is None else datetime.fromtimestamp(ms / 1000, tz=UTC)

    return EventPublicationDTO(
        **{k: v for k, v in row.items() if not k.endswith("_ms") and k != "payload"},
        payload=ids_as_strings(row["payload"]),
        created_at=time(row["created_at_ms"]), next_attempt_at=time(row["next_attempt_at_ms"]),
        completed_at=time(row["completed_at_ms"]), failed_at=time(row["failed_at_ms"]),
    )


@router.get("", summary="Event publications: pending, failed (given up on) or completed",
            responses=problem_responses(401, 422))
@write
async def list_publications(
    request: Request,
    state: Literal["pending", "failed", "completed"] = "failed",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    after: Annotated[IdInput | None, Query(description="Id of the last one seen.")] = None,
) -> Page[EventPublicationDTO]:
    publications = request.app.state.container.publication_operations()
    rows = await publications.listing(state, after=after, limit=limit + 1)
    items = [_shown(row) for row in rows[:limit]]
    next_url = None
    if len(rows) > limit:
        next_url = next_page_link(request, after=items[-1].id)
    return Page[EventPublicationDTO](items=items, next=next_url)


@router.post("/{publication_id}/resubmit",
             summary="Deliver a publication that was given up on again, with fresh attempts",
             responses=problem_responses(401, 404, 409, 422))
@write
async def resubmit(publication_id: IdInput, request: Request) -> EventPublicationDTO:
    container = request.app.state.container
    publications = container.publication_operations()
    if not await publications.resubmit(publication_id):
        if await publications.entry(publication_id) is None:
            raise PublicationNotFound(publication_id)
        raise PublicationNotFailed(publication_id)
    container.relay_wakeup().set()
    entry = await publications.entry(publication_id)
    return _shown(entry)
