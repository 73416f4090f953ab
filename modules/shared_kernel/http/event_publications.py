"""Operator routes: list event publications, and resubmit the ones given up on."""

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from modules.shared_kernel.application.ids import Id, IdInput
from modules.shared_kernel.application.pages import DEFAULT_LIMIT, MAX_LIMIT, Page
from modules.shared_kernel.domain.errors import Conflict, NotFound
from modules.shared_kernel.http.access import WRITE
from modules.shared_kernel.http.problems import problem_responses

router = APIRouter(prefix="/admin/event-publications", tags=["operations"])


class EventPublicationDTO(BaseModel):
    id: Id
    event_type: str
    schema_version: int
    payload: dict[str, Any]
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


def _shown(row: dict[str, Any]) -> EventPublicationDTO:
    def time(ms: int | None) -> datetime | None:
        return None if ms is None else datetime.fromtimestamp(ms / 1000, tz=UTC)

    return EventPublicationDTO(
        **{k: v for k, v in row.items() if not k.endswith("_ms")},
        created_at=time(row["created_at_ms"]), next_attempt_at=time(row["next_attempt_at_ms"]),
        completed_at=time(row["completed_at_ms"]), failed_at=time(row["failed_at_ms"]),
    )


@router.get("", summary="Event publications: pending, failed (given up on) or completed",
            dependencies=WRITE, responses=problem_responses(401, 422))
async def list_publications(
    request: Request,
    state: Literal["pending", "failed", "completed"] = "failed",
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    after: Annotated[IdInput | None, Query(description="Id of the last one seen.")] = None,
) -> Page[EventPublicationDTO]:
    publications = request.app.state.container.event_publications()
    rows = await publications.listing(state, after=after, limit=limit + 1)
    items = [_shown(row) for row in rows[:limit]]
    next_url = None
    if len(rows) > limit:
        next_url = str(request.url.include_query_params(after=str(items[-1].id)))
    return Page[EventPublicationDTO](items=items, next=next_url)


@router.post("/{publication_id}/resubmit",
             summary="Deliver a publication that was given up on again, with fresh attempts",
             dependencies=WRITE, responses=problem_responses(401, 404, 409, 422))
async def resubmit(publication_id: IdInput, request: Request) -> EventPublicationDTO:
    container = request.app.state.container
    publications = container.event_publications()
    if not await publications.resubmit(publication_id):
        if await publications.entry(publication_id) is None:
            raise PublicationNotFound(publication_id)
        raise PublicationNotFailed(publication_id)
    container.event_relay().wake()
    entry = await publications.entry(publication_id)
    return _shown(entry)
