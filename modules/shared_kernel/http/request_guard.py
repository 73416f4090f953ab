"""Turn away requests no route should see: too large, or not UTF-8 where text must be.

Pure ASGI, before FastAPI parses anything: a body over the limit is refused as soon as its
size is known (from Content-Length, or while it streams in) and never read whole.
"""

from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from modules.shared_kernel.http.problems import problem

WITH_BODY = {"POST", "PUT", "PATCH", "DELETE"}


class BodyTooLarge(Exception):
    pass


class RequestGuard:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not _is_utf8(unquote_to_bytes(scope.get("raw_path") or b"")):
            await _invalid(scope, receive, send, "path", "the path is not valid UTF-8")
            return
        if not _is_utf8(unquote_to_bytes(scope.get("query_string") or b"")):
            await _invalid(scope, receive, send, "query", "the query string is not valid UTF-8")
            return
        if scope["method"] not in WITH_BODY:
            await self.app(scope, receive, send)
            return
        if _declared_length(scope) > self.max_body_bytes:
            await self._too_large(scope, receive, send)
            return
        try:
            body = await self._read_body(receive)
        except BodyTooLarge:
            await self._too_large(scope, receive, send)
            return
        if body and _is_json(scope) and not _is_utf8(body):
            await _invalid(scope, receive, send, "body", "the body is not valid UTF-8")
            return
        await self.app(scope, _replaying(body, receive), send)

    async def _read_body(self, receive: Receive) -> bytes:
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise BodyTooLarge()
            chunks.append(chunk)
            more = message.get("more_body", False)
        return b"".join(chunks)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(413, f"the body is larger than {self.max_body_bytes} bytes")
        response.headers["Connection"] = "close"  # the rest of the body is not read
        await response(scope, receive, send)


def _replaying(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # then whatever the server says next (a disconnect)

    return replay


async def _invalid(scope: Scope, receive: Receive, send: Send, where: str, message: str) -> None:
    response = problem(422, message, kind="invalid-request",
                       errors=[{"in": where, "field": "", "message": message}])
    await response(scope, receive, send)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _header(scope: Scope, name: bytes) -> bytes | None:
    return next((value for key, value in scope["headers"] if key.lower() == name), None)


def _declared_length(scope: Scope) -> int:
    value = _header(scope, b"content-length")
    return int(value) if value and value.isdigit() else 0


def _is_json(scope: Scope) -> bool:
    content_type = (_header(scope, b"content-type") or b"").split(b";")[0].strip().lower()
    return content_type == b"application/json" or content_type.endswith(b"+json")
