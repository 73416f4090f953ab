"""A process that dies between the Book commit and the Author listener loses nothing: the
next process delivers what it committed, in either delivery mode."""

import asyncio
import signal
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from persistence.tables import event_publications
from tests.api.catalogue import book_body
from tests.eventually import eventually
from tests.system.databases import fresh_database
from tests.system.gate import Gate
from tests.system.servers import running_service

CLAIM_TIMEOUT_S = "2"
CATCH_UP_WITHIN_S = 60.0  # the claim timeout, a relay round and a slow machine, with room


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


async def credit_publication(client: httpx.AsyncClient, service: str,
                             state: str) -> dict[str, Any]:
    """The credit's publication, as an operator sees it."""
    listed = (await client.get(f"{service}/admin/event-publications",
                               params={"state": state})).json()
    [entry] = [e for e in listed["items"] if e["listener"] == "author.credit_book"]
    return dict(entry)


async def test_a_delivery_claimed_by_a_killed_process_is_taken_over_after_its_claim_ends(
    database_url: str, tmp_path: Path
) -> None:
    """Immediate delivery (the default): the process dies inside the credit's listener, in
    the request, while its claim on the publication keeps others off."""
    async with fresh_database(database_url, tmp_path) as url, Gate() as gate, \
            httpx.AsyncClient(timeout=CATCH_UP_WITHIN_S) as client:
        # No relay in the first process, so the request's claim is the only one it makes
        # (its own relay would otherwise take the stuck delivery over after the timeout).
        with running_service(url, log=tmp_path / "first.log", stop_with=signal.SIGKILL,
                             app="tests.system.stuck_listener_app:app",
                             EVENT_CLAIM_TIMEOUT_S=CLAIM_TIMEOUT_S, EVENT_RELAY_ENABLED="false",
                             **gate.env) as first:
            author = (await client.post(f"{first}/authors", json={"first_name": "Han",
                                                                  "last_name": "Kang"})).json()
            book = (await client.post(f"{first}/books", json=book_body())).json()
            crediting = asyncio.create_task(
                client.put(f"{first}/books/{book['id']}/authors/{author['id']}"))
            await gate.until(lambda g: bool(g.held("credit_book")), "the credit's delivery")
            claimed = await credit_publication(client, first, "pending")
            assert not crediting.done()
        # Killed: the client sees a dropped connection, and the Book side's commit stands.
        with pytest.raises(httpx.TransportError):
            await crediting
        assert claimed["attempts"] == 1
        assert claimed["completed_at"] is None

        with running_service(url, log=tmp_path / "second.log") as second:

            async def books_of_author() -> list[str]:
                found = await client.get(f"{second}/authors/{author['id']}")
                return [b["id"] for b in found.json()["books"]]

            await eventually(books_of_author, lambda ids: ids == [book["id"]],
                             within_s=CATCH_UP_WITHIN_S)
            shown = (await client.get(f"{second}/books/{book['id']}")).json()
            completed = await credit_publication(client, second, "completed")
            readiness = (await client.get(f"{second}/health/ready")).json()

    assert [a["id"] for a in shown["authors"]] == [author["id"]]
    assert completed["id"] == claimed["id"]
    assert completed["attempts"] == 2  # the killed one, and the takeover
    # Taken over only once the dead process's claim had run out, not before.
    claim_ended = datetime.fromisoformat(claimed["next_attempt_at"])
    assert datetime.fromisoformat(completed["completed_at"]) >= claim_ended
    assert readiness["events"] == {"pending": 0, "failed": 0}
