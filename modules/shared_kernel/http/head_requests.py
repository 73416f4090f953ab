"""HEAD is answered as GET without the body (RFC 9110 9.3.2), for every route that offers GET.

FastAPI routes answer only the methods they declare, so without this HEAD /books/1 was a 405
whose `Allow` listed HEAD. Doing it here, once, keeps every route (those added later too)
honest without declaring HEAD on each, and leaves HEAD out of the published schema.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        # A copy: the server and the request log still see the HEAD the client sent.
        await self.app({**scope, "method": "GET"}, receive, _without_body(send))


def _without_body(send: Send) -> Send:
    """Status and headers as GET sends them, Content-Length included; the body left out."""

    async def send_head(message: Message) -> None:
        if message["type"] != "http.response.body":
            await send(message)
        elif not message.get("more_body", False):
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    return send_head
