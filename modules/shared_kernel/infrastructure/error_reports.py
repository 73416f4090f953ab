"""Errors reported to Sentry when SENTRY_DSN is set: answers of 500, relay rounds that fail,
and failed deliveries, each tagged with the request id and trace id that lead to its logs and
its trace.

A report says where the service failed, never what it was storing: exception messages are
replaced (a database error by the fixed text of outbox/failures.py, anything else withheld,
since a message may quote a title, an ISBN or SQL parameters), local variables, request
bodies and query strings are never sent. The full message stays in the service's own log,
under the same request id.

The client is this object's own, not the process-wide one, so that nothing reports unless
this service was told where to, and tests can give an app a transport that keeps envelopes.
"""

import logging
from typing import TYPE_CHECKING, Any

from modules.shared_kernel.application.publications import Publication
from modules.shared_kernel.infrastructure.logs import request_id
from modules.shared_kernel.infrastructure.outbox.failures import failure_text
from modules.shared_kernel.infrastructure.tracing import current_trace_context

if TYPE_CHECKING:
    from sentry_sdk import Client
    from sentry_sdk.transport import Transport

log = logging.getLogger("bookshelf")

WITHHELD = "(message withheld: it may quote stored values; see the log under this request id)"


class ErrorReports:
    def __init__(self, dsn: str | None, *, transport: "Transport | None" = None) -> None:
        self._dsn = dsn
        self._transport = transport
        self._client: Client | None = None

    @property
    def enabled(self) -> bool:
        return self._dsn is not None

    def start(self) -> None:
        if self._dsn is None:
            return
        import sentry_sdk

        # No integrations: each would add its own data (breadcrumbs of log lines, request
        # bodies, SQL) that the scrubbing below would have to know about.
        self._client = sentry_sdk.Client(
            dsn=self._dsn, transport=self._transport, default_integrations=False,
            auto_enabling_integrations=False, include_local_variables=False,
            max_request_body_size="never",
            before_send=_without_stored_values)

    def stop(self) -> None:
        if self._client is not None:
            self._client.close(timeout=2.0)  # sends what is queued
            self._client = None

    def unhandled(self, error: BaseException) -> None:
        """An error no handler answered: the request got a 500, or a relay round failed."""
        self._report(error, "error", {})

    def delivery_failed(self, publication: Publication, error: BaseException, *,
                        gave_up: bool) -> None:
        self._report(error, "error" if gave_up else "warning", {
            "listener": publication.listener, "event_type": type(publication.event).__name__,
            "publication_id": str(publication.id), "attempt": str(publication.attempts),
            "gave_up": str(gave_up).lower()}, trace_context=publication.trace_context)

    def _report(self, error: BaseException, level: str, tags: dict[str, str], *,
                trace_context: str | None = None) -> None:
        if self._client is None:
            return
        import sentry_sdk

        trace_context = current_trace_context() or trace_context
        try:
            with sentry_sdk.isolation_scope() as scope:
                scope.set_client(self._client)
                scope.set_level(level)  # type: ignore[arg-type]
                scope.set_tag("request_id", request_id.get())
                if trace_context:
                    scope.set_tag("trace_id", trace_context.split("-")[1])
                for name, value in tags.items():
                    scope.set_tag(name, value)
                scope.capture_exception(error)
        except Exception:  # a report must never break what it reports on
            log.warning("could not report an error to Sentry", exc_info=True)


def _without_stored_values(event: Any, hint: dict[str, Any]) -> Any:
    exc_info = hint.get("exc_info")
    by_type: dict[str, BaseException] = {}
    for raised in _chain(exc_info[1]) if exc_info else []:
        by_type.setdefault(type(raised).__name__, raised)
    for value in event.get("exception", {}).get("values", []):
        error = by_type.get(value.get("type"))
        value["value"] = _safe_text(error) if error is not None else WITHHELD
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "query_string", "cookies", "env"):
            request.pop(key, None)
    return event


def _chain(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__
                                        else current.__context__)
    return chain


def _safe_text(error: BaseException) -> str:
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(error, SQLAlchemyError):
        return failure_text(error)  # the fixed sentence for its kind, no SQL, no values
    return WITHHELD
