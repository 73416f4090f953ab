"""GET /metrics, for Prometheus: served only with METRICS_ENABLED, closed by the same tokens
as writes when tokens are set (Prometheus sends one with `authorization: credentials_file`).
Left out of the published API: it is for the scraper, not for clients."""

import asyncio
import logging
from typing import Any

from fastapi import APIRouter, Request, Response

from modules.shared_kernel.http.access import write
from modules.shared_kernel.http.query_parameters import KnownQueryParameters
from modules.shared_kernel.infrastructure.metrics.scrape import Backlog, exposition

log = logging.getLogger("bookshelf")
router = APIRouter(include_in_schema=False, route_class=KnownQueryParameters)

BACKLOG_TIMEOUT_S = 2.0


@router.get("/metrics")
@write
async def scrape(request: Request) -> Response:
    container: Any = request.app.state.container
    body, content_type = exposition(container.metrics().directory, await _backlog(container),
                                    request.headers.get("accept", ""))
    return Response(body, media_type=content_type)


async def _backlog(container: Any) -> Backlog | None:
    """Read at scrape time; without the database the scrape still answers, without these."""
    try:
        async with asyncio.timeout(BACKLOG_TIMEOUT_S):
            found = await container.publication_operations().backlog()
    except Exception as error:
        log.warning("metrics: the event publication backlog could not be read (%s)",
                    type(error).__name__)
        return None
    return Backlog(found["pending"], found["failed"], found["oldest_open_age_ms"] / 1000)
