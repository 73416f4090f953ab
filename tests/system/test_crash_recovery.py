"""A process that dies between the Book commit and the Author handler loses nothing."""

import signal
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from persistence.tables import event_publications
from tests.api.catalogue import book_body
from tests.eventually import eventually
from tests.system.databases import fresh_database
from tests.system.servers import running_service


async def test_a_new_process_delivers_what_a_killed_one_committed(
    database_url: str, tmp_path: Path
) -> None:
    async with fresh_database(database_url, tmp_path) as url:
        # The first process commits book changes but runs no handler: delivery is left to a
        # relay, and it has none. Then it is killed outright.
        with running_service(url, log=tmp_path / "first.log", stop_with=signal.SIGKILL,
                             EVENT_DELIVERY="relay", EVENT_RELAY_ENABLED="false") as first:
            async with httpx.AsyncClient(base_url=first) as client:
                author = (await client.post("/authors", json={"first_name": "Han",
                                                              "last_name": "Kang"})).json()
                book = (await client.post("/books", json=book_body())).json()
                credited = await client.put(f"/books/{book['id']}/authors/{author['id']}")
                assert credited.status_code == 200
                shown = (await client.get(f"/authors/{author['id']}")).json()
                assert shown["books"] == []  # committed on the Book side only

        engine = create_async_engine(url)
        async with engine.connect() as connection:
            left_behind = await connection.scalar(select(func.count()).where(
                event_publications.c.completed_at_ms.is_(None)))
        await engine.dispose()
        assert left_behind == 1

        with running_service(url, log=tmp_path / "second.log") as second:
            async with httpx.AsyncClient(base_url=second) as client:

                async def books_of_author() -> list[str]:
                    found = await client.get(f"/authors/{author['id']}")
                    return [b["id"] for b in found.json()["books"]]

                await eventually(books_of_author, lambda ids: ids == [book["id"]])
                readiness = (await client.get("/health/ready")).json()
                assert readiness["events"] == {"pending": 0, "failed": 0}
