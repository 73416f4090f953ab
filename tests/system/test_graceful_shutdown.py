"""SIGTERM while requests are in flight: they finish and are answered, and their changes are
stored; then the service closes its database connections and releases its lease, before
the process exits.

The service holds its Book commands at the test's gate (held_requests_app.py), so SIGTERM
surely lands while they are in flight: the test sees every request arrive in the service,
unanswered, before it sends the signal, and sees the service stop listening before it lets
them go on. So all of their work happens after the signal.
"""

import asyncio
import signal
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import and_, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from persistence.clock import database_now_ms
from persistence.tables import author_books, book_authors, worker_leases
from tests.api.catalogue import book_body
from tests.eventually import eventually
from tests.system.databases import fresh_database
from tests.system.gate import Gate
from tests.system.servers import Service, started_service

IN_FLIGHT = 8


async def service_connections(engine: AsyncEngine) -> int | None:
    """Connections to the test's database other than this one; None on SQLite (no server)."""
    async with engine.connect() as connection:
        if connection.dialect.name != "postgresql":
            return None
        return int(await connection.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()")))


async def live_leases(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).where(
            worker_leases.c.expires_at_ms > database_now_ms())))


async def not_listening(service: Service) -> bool:
    host, port = service.url.removeprefix("http://").split(":")
    try:
        _reader, writer = await asyncio.open_connection(host, int(port))
    except (ConnectionRefusedError, ConnectionResetError):
        # Reset: the connection reached the listening socket's backlog just as the service
        # closed it (seen once in CI), which is the service no longer listening too.
        return True
    writer.close()
    return False


async def created(http: aiohttp.ClientSession, path: str, body: dict[str, Any]) -> str:
    async with http.post(path, json=body) as response:
        assert response.status == 201, await response.text()
        return str((await response.json())["id"])


async def credit(http: aiohttp.ClientSession, book: str, author: str) -> int:
    async with http.put(f"/books/{book}/authors/{author}") as response:
        await response.read()
        return response.status


async def stored_credits(engine: AsyncEngine, author: str) -> tuple[set[int], set[int]]:
    """The books crediting the author (Book side), and the books the author lists."""
    async with engine.connect() as connection:
        crediting = await connection.scalars(
            select(book_authors.c.book_id).where(book_authors.c.author_id == int(author)))
        listed = await connection.scalars(select(author_books.c.book_id).where(and_(
            author_books.c.author_id == int(author), author_books.c.credited)))
        return set(crediting), set(listed)


async def test_sigterm_lets_requests_in_flight_finish_then_closes_everything(
    database_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "uvicorn.log"
    async with fresh_database(database_url, tmp_path) as url, Gate() as gate:
        engine = create_async_engine(url, poolclass=NullPool)  # keeps no connection of its own
        gate.open("request")  # for the setup
        with started_service(url, log=log, app="tests.system.held_requests_app:app",
                             **gate.env) as service:
            async with aiohttp.ClientSession(service.url) as http:
                author = await created(http, "/authors", {"first_name": "Han",
                                                          "last_name": "Kang"})
                books = [await created(http, "/books", book_body()) for _ in range(IN_FLIGHT)]
                gate.close("request")
                credits = [asyncio.create_task(credit(http, book, author)) for book in books]
                await gate.until(lambda g: len(g.held("request")) == IN_FLIGHT,
                                 "every credit to arrive in the service")
                assert not any(request.done() for request in credits)  # in flight
                while_serving = await service_connections(engine)

                service.send(signal.SIGTERM)
                await eventually(lambda: not_listening(service), bool, within_s=60)
                assert service.process.poll() is None
                assert not any(request.done() for request in credits)  # still in flight
                assert await stored_credits(engine, author) == (set(), set())

                gate.open("request")
                statuses = await asyncio.gather(*credits)

            await gate.until(lambda g: bool(g.at("shutdown")), "the service to shut down")
            assert service.process.poll() is None  # shut down, not yet exited
            leases_after_shutdown = await live_leases(engine)
            if while_serving is not None:
                assert while_serving > 0  # the count sees the service's connections
                # Closed by the service, not by the process's end: it has not ended yet.
                await eventually(lambda: service_connections(engine), lambda n: n == 0,
                                 within_s=60)
            gate.open("shutdown")
            exit_code = await asyncio.to_thread(service.process.wait, 60)

        after_exit = await service_connections(engine)
        crediting, listed = await stored_credits(engine, author)
        await engine.dispose()

    output = log.read_text()
    assert statuses == [200] * IN_FLIGHT, output
    # Both sides of every credit, done after the signal: the book's change, and the author's
    # listing delivered in the same request.
    assert crediting == listed == {int(book) for book in books}
    # uvicorn re-raises the signal it handled, so a clean SIGTERM exit reads -15.
    assert exit_code in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output
    assert "Traceback" not in output, output
    assert leases_after_shutdown == 0  # the worker-id lease was released
    assert after_exit in (0, None)
