"""Many clients PATCH one book (or one author) at once, through two uvicorn workers: with
If-Match naming the version they all read, exactly one wins and the rest get 412; without
If-Match, no write is lost silently.

The service (racing_app.py) holds the writers at the test's gate until all of them are in
flight together, half in each worker:
- on PostgreSQL after each has read the resource, just before it commits, so every writer
  read the same version and only the optimistic lock can settle them;
- on SQLite before their commands run: there a writer takes the write lock when its
  transaction begins (BEGIN IMMEDIATE), so no second writer can read while one writes.
  Released together, they race for that lock instead.
The kernel hands new connections to the workers unevenly (often a whole burst to one), so
the writers are let in one at a time, and a worker holding the newest one takes no
connection until the next has reached the other worker (racing_app.py: "turn").
"""

import asyncio
import itertools
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy.engine import make_url

from tests.api.catalogue import book_body
from tests.system.databases import fresh_database
from tests.system.gate import Gate
from tests.system.servers import running_service

WRITERS = 8

# What each resource is made with, and the field the writers change.
RESOURCES: dict[str, tuple[dict[str, Any], str]] = {
    "books": (book_body(), "title"),
    "authors": ({"first_name": "Han", "last_name": "Kang"}, "biography"),
}

Outcomes = list[tuple[int, str]]  # each writer's status, and the value it sent


class Race:
    def __init__(self, http: aiohttp.ClientSession, gate: Gate, hold: str, path: str,
                 field: str) -> None:
        self.http, self.gate, self.hold, self.path, self.field = http, gate, hold, path, field
        # Never a value stored before: a PATCH that changes nothing stores no new version.
        self.values = (f"Written by writer {n}" for n in itertools.count())

    async def run(self, *, if_match: bool) -> Outcomes:
        """WRITERS clients each read the resource, then PATCH it; all are let go together
        once all are held, in both workers."""
        self.gate.close("turn")
        self.gate.close(self.hold)
        writers = []
        for number in range(WRITERS):
            writers.append(asyncio.create_task(self.write(next(self.values), if_match)))
            # Its worker stops at its turn, then the one before it may go on to the hold.
            await self.until_at_turn(1 if number == 0 else 2)
            if number:
                self.gate.let_one_through("turn")
        self.gate.let_one_through("turn")
        await self.gate.until(lambda g: len(g.held(self.hold)) == WRITERS,
                              f"{WRITERS} writers held at {self.hold}")
        assert len({arrival.pid for arrival in self.gate.held(self.hold)}) == 2
        assert not any(writer.done() for writer in writers)  # all in flight together
        self.gate.open(self.hold)
        return list(await asyncio.gather(*writers))

    async def until_at_turn(self, count: int) -> None:
        await self.gate.until(lambda g: len(g.held("turn")) == count, "a writer at its turn")

    async def write(self, value: str, if_match: bool) -> tuple[int, str]:
        async with self.http.get(self.path) as seen:
            assert seen.status == 200
            etag = seen.headers["ETag"]
        headers = {"If-Match": etag} if if_match else {}
        async with self.http.patch(self.path, json={self.field: value},
                                   headers=headers) as response:
            await response.read()
            return response.status, value

    async def stored(self) -> tuple[str, int]:
        """The field's value and the version, as stored now."""
        async with self.http.get(self.path) as response:
            shown = await response.json()
            return shown[self.field], int(response.headers["ETag"].strip('"'))


def statuses(outcomes: Outcomes) -> list[int]:
    return sorted(status for status, _value in outcomes)


def written(outcomes: Outcomes, status: int) -> list[str]:
    return [value for answered, value in outcomes if answered == status]


@pytest.mark.parametrize("resource", sorted(RESOURCES))
async def test_racing_patches_across_two_workers_lose_no_write(
    database_url: str, tmp_path: Path, resource: str
) -> None:
    body, field = RESOURCES[resource]
    postgres = make_url(database_url).get_backend_name() == "postgresql"
    hold = "commit" if postgres else "command"
    async with fresh_database(database_url, tmp_path) as url, Gate() as gate:
        gate.open("turn")
        gate.open(hold)
        with running_service(url, workers=2, log=tmp_path / "uvicorn.log",
                             app="tests.system.racing_app:app", BOOKSHELF_TEST_HOLD=hold,
                             **gate.env) as base:
            # A connection per request, so each goes to whichever worker takes it.
            connector = aiohttp.TCPConnector(force_close=True, limit=0)
            async with aiohttp.ClientSession(base, connector=connector) as http:
                async with http.post(f"/{resource}", json=body) as response:
                    assert response.status == 201, await response.text()
                    path = response.headers["Location"]
                race = Race(http, gate, hold, path, field)

                # All name the version they read: one wins, the others are told it is gone.
                _value, before = await race.stored()
                outcomes = await race.run(if_match=True)
                assert statuses(outcomes) == [200] + [412] * (WRITERS - 1)
                [winner] = written(outcomes, 200)
                assert await race.stored() == (winner, before + 1)

                # None names a version: whoever is answered 200 was stored, each at a version
                # of its own, and a 409 changed nothing. On PostgreSQL, where all read one
                # version, one wins; on SQLite they queued, so each wrote in turn.
                _value, before = await race.stored()
                outcomes = await race.run(if_match=False)
                assert statuses(outcomes) == ([200] + [409] * (WRITERS - 1) if postgres
                                              else [200] * WRITERS)
                value, after = await race.stored()
                assert after == before + statuses(outcomes).count(200)
                assert value in written(outcomes, 200)
