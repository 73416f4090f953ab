"""How many of the project's own calls one credit request passes through, and in how many files.

    poetry run python benchmarks/credit_path.py

It starts the app in-process on a fresh embedded database (events delivered at once, the
default), credits an author on a book once to warm up, then profiles a second credit:
`PUT /books/{id}/authors/{author_id}` from the route to the Author module's handler and back.
A call is one invocation of a function defined in app.py, modules/ or persistence/ (a
coroutine resumed after an await is the same call; comprehensions are not calls).
"""

import asyncio
import sys
import tempfile
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROJECT = tuple(str(ROOT / part) for part in ("app.py", "modules", "persistence"))
NOT_CALLS = {"<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>"}


class CallCounter:
    """Counts the project's calls made inside the route function (the credit path proper:
    the HTTP plumbing before the route is left out), each once."""

    def __init__(self, route: str) -> None:
        self.route = route
        self.seen: set[FrameType] = set()  # held, so a frame's identity is not reused
        self.calls: Counter[str] = Counter()

    def __call__(self, frame: FrameType, event: str, _arg: Any) -> None:
        if event != "call" or frame in self.seen:
            return
        code = frame.f_code
        if not code.co_filename.startswith(PROJECT) or code.co_name in NOT_CALLS:
            return
        if not self._inside_route(frame):
            return
        self.seen.add(frame)
        where = Path(code.co_filename).relative_to(ROOT)
        self.calls[f"{where}:{code.co_firstlineno} {code.co_qualname}"] += 1

    def _inside_route(self, frame: FrameType | None) -> bool:
        while frame is not None:
            if frame.f_code.co_name == self.route and "http/routes.py" in frame.f_code.co_filename:
                return True
            frame = frame.f_back
        return False


async def main() -> None:
    import httpx
    from asgi_lifespan import LifespanManager
    from dependency_injector import providers

    from app import create_app
    from modules.container import ApplicationContainer
    from modules.settings import Settings

    database = Path(tempfile.mkdtemp()) / "credit-path.db"
    container = ApplicationContainer()
    container.settings.override(providers.Object(Settings(
        database_url=f"sqlite+aiosqlite:///{database}", event_relay_enabled=False)))
    app = create_app(container)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            book = (await client.post("/books", json={
                "title": "Human Acts", "isbn": "9781101906729", "pages": 224,
                "price": {"amount": 1500, "currency": "USD"}, "publication_year": 2014,
            })).json()["id"]
            first, second = [(await client.post("/authors", json={
                "first_name": name, "last_name": "Kang"})).json()["id"] for name in "AB"]
            await client.put(f"/books/{book}/authors/{first}")  # warm-up: caches, pools
            counter = CallCounter("put_book_author")
            sys.setprofile(counter)
            try:
                response = await client.put(f"/books/{book}/authors/{second}")
            finally:
                sys.setprofile(None)
            assert response.status_code == 200, response.text
            shown = (await client.get(f"/authors/{second}")).json()
            assert [b["id"] for b in shown["books"]] == [book], shown
    files = {name.split(":")[0] for name in counter.calls}
    for name, times in sorted(counter.calls.items()):
        print(f"{times:3d}  {name}")
    print(f"\n{sum(counter.calls.values())} calls of {len(counter.calls)} functions "
          f"in {len(files)} files")


if __name__ == "__main__":
    asyncio.run(main())
