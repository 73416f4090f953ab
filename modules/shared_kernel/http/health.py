"""Liveness and readiness, for load balancers and process managers."""

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import text

from modules.shared_kernel.http.query_parameters import KnownQueryParameters

router = APIRouter(prefix="/health", tags=["operations"], route_class=KnownQueryParameters)

CHECK_TIMEOUT_S = 2.0


class Liveness(BaseModel):
    status: str = Field(examples=["live"])


class EventBacklog(BaseModel):
    pending: int = Field(description="Publications not yet delivered (including retries).")
    failed: int = Field(description="Publications given up on; see /admin/event-publications.")


class Readiness(BaseModel):
    status: str = Field(description="ready or not ready")
    database: str = Field(description="ok, or why the database cannot be used")
    migrations: str = Field(description="at head, or the revision found")
    events: EventBacklog | None


@router.get("/live", summary="The process is up (it says nothing of the database)")
async def live() -> Liveness:
    return Liveness(status="live")


@router.get("/ready", summary="The service can serve: database, schema, event backlog",
            responses={503: {"model": Readiness, "description": "Not ready"}})
async def ready(request: Request, response: Response) -> Readiness:
    container: Any = request.app.state.container
    database, migrations, events = "ok", "at head", None
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S):
            async with container.engine().connect() as connection:
                current = await connection.scalar(text("SELECT version_num FROM alembic_version"))
            if current != request.app.state.schema_head:
                migrations = f"at {current}, expected {request.app.state.schema_head}"
            events = EventBacklog(**await container.publication_operations().counts())
    except Exception as error:  # any failure to answer means not ready
        database = f"unavailable ({type(error).__name__})"
    is_ready = database == "ok" and migrations == "at head"
    if not is_ready:
        response.status_code = 503
    return Readiness(status="ready" if is_ready else "not ready", database=database,
                     migrations=migrations, events=events)
