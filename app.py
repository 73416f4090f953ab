"""The bookshelf service: `uvicorn app:app --loop=uvloop`."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.telemetry import TelemetryConfig
from fastapi_offline import FastAPIOffline

from modules.author.http.routes import router as author_routes
from modules.author.subscriptions import subscribe as subscribe_author_module
from modules.book.externalization import externalize as externalize_book_events
from modules.book.http.asyncapi import router as integration_event_docs
from modules.book.http.routes import router as book_routes
from modules.container import ApplicationContainer
from modules.shared_kernel.http.access import AccessRules, publish_security
from modules.shared_kernel.http.access_first import AccessFirst
from modules.shared_kernel.http.app_routes import add_routes
from modules.shared_kernel.http.event_publications import router as event_publication_routes
from modules.shared_kernel.http.head_requests import HeadAsGet
from modules.shared_kernel.http.health import router as health_routes
from modules.shared_kernel.http.metrics import router as metrics_routes
from modules.shared_kernel.http.problems import install_problem_handlers
from modules.shared_kernel.http.request_guard import RequestGuard
from modules.shared_kernel.http.request_log import RequestLog
from modules.shared_kernel.infrastructure.logs import configure_logging
from modules.shared_kernel.infrastructure.worker_ids import worker_id_for_this_process
from persistence.database import is_sqlite
from persistence.mappers import start_mappers
from persistence.migrate import MigrationFailed, migrate_apart

log = logging.getLogger("bookshelf")

# FastAPI's own OpenTelemetry hooks stay off: tracing is the container's (tracing.py), and
# left on, FastAPI asks on every request whether a global provider has been configured.
NO_NATIVE_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}

DESCRIPTION = """
A catalogue of **books** and **authors**, built as a Domain-Driven-Design modular monolith.

* Ids are **strings of digits** (snowflakes exceed 2^53, which JavaScript would round).
* Every error is `application/problem+json` (RFC 9457); invalid input lists each bad
  field in `errors`.
* Crediting an author on a book (`PUT /books/{id}/authors/{author_id}`) records
  `AuthorAddedToBook`; the Author module applies it in its own transaction.
"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    container: ApplicationContainer = app.state.container
    settings = container.settings()
    configure_logging(settings.log_format, settings.log_level)
    engine = container.engine()
    tracing = container.tracing()
    app.state.access.announce()
    if is_sqlite(settings.database_url):
        log.warning("using the embedded SQLite database %s; set DATABASE_URL for PostgreSQL",
                    engine.url.database)
    try:
        try:
            app.state.schema_head = await migrate_apart(
                engine, upgrade=settings.migrate_on_startup,
                connect_timeout_s=settings.database_connect_timeout_s)
        except MigrationFailed as error:
            log.critical("cannot start: the database %s cannot be migrated (%s)",
                         engine.url.render_as_string(), error)
            raise
        tracing.instrument_database(engine)
        container.error_reports().start()
        async with metrics_watching(container), \
                worker_id_for_this_process(engine, settings, container.metrics()), \
                event_relay(container):
            yield
    finally:
        if settings.broker_url:  # after the relay, its only user, has stopped
            await container.broker_publisher().close()
        container.error_reports().stop()
        tracing.shut_down()
        await container.reads().close()
        await engine.dispose()


@asynccontextmanager
async def event_relay(container: ApplicationContainer) -> AsyncIterator[None]:
    """The relay runs beside the requests: it also picks up what a crashed process left."""
    if not container.settings().event_relay_enabled:
        yield
        return
    relay = asyncio.create_task(container.event_relay().run(), name="event-relay")
    try:
        yield
    finally:
        relay.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await relay


@asynccontextmanager
async def metrics_watching(container: ApplicationContainer) -> AsyncIterator[None]:
    metrics = container.metrics()
    if metrics is None:
        yield
        return
    with metrics.watching(container.engine(), container.reads()):
        yield


# The API's routers, in the order they are matched (the metrics' route, when on, before them).
# The last serves /asyncapi.json, beside /openapi.json.
ROUTERS = (author_routes, book_routes, health_routes, event_publication_routes,
           integration_event_docs)


def create_app(container: ApplicationContainer | None = None) -> FastAPI:
    container = container or ApplicationContainer()
    start_mappers()
    subscribe_author_module(container.listeners(), container.author)
    if container.settings().broker_url:
        externalize_book_events(container.listeners(), container.broker_publisher,
                                container.outbound_unit_of_work)

    # Swagger UI and ReDoc served from the app's own files: /docs works without internet.
    app = FastAPIOffline(title="bookshelf", version="0.1.0", description=DESCRIPTION,
                         lifespan=lifespan, telemetry=NO_NATIVE_TELEMETRY)
    settings = container.settings()
    app.state.container = container
    app.state.access = AccessRules.from_hex(settings.api_token_hashes,
                                            reads_require_token=settings.reads_require_token)
    install_problem_handlers(app)
    container.tracing().instrument_app(app)
    app.add_middleware(RequestGuard, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(AccessFirst)  # 401 before anything about the input, the guard's too
    app.add_middleware(HeadAsGet)
    # Outermost: it sees every answer, the guard's included; it also counts them for metrics.
    app.add_middleware(RequestLog, metrics=container.metrics())
    if container.metrics() is not None:  # off: no route, and nothing counted
        add_routes(app, metrics_routes)
    publish_security(app, app.state.access)
    if settings.cors_allow_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_allow_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match"],
            expose_headers=["ETag", "Location", "Retry-After"],
        )
    for routes in ROUTERS:
        add_routes(app, routes)
    return app


app = create_app()
