"""A gate between a test and the service it runs in other processes.

A hook in the service (a tests/system/*_app.py module) calls `wait_at_gate("point")`: it tells
the test it has arrived, with its process id, and waits until the test opens that point. The
test sees who is waiting, and opens a point when it has seen what it needs (requests in
flight, a delivery claimed, writers that all read the same version).

Over one loopback TCP connection per arrival, so neither side polls: the connection is the
arrival, a line back is the release, and a test that goes away releases everyone.
"""

import asyncio
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

GATE_PORT = "BOOKSHELF_TEST_GATE_PORT"
WAIT_AT_MOST_S = 120.0  # for a condition on the other side: generous, but not forever


async def wait_at_gate(point: str) -> None:
    """In the service: arrive at `point` and return once the test lets us through."""
    reader, writer = await asyncio.open_connection("127.0.0.1", int(os.environ[GATE_PORT]))
    writer.write(f"{point} {os.getpid()}\n".encode())
    await writer.drain()
    await reader.readline()  # "go", or nothing when the test's gate closes
    writer.close()


def wait_at_gate_with_the_loop(point: str) -> None:
    """In the service: like `wait_at_gate`, but the whole worker waits, its event loop too,
    so it takes no new connection meanwhile: the kernel hands the next one to another
    worker. (uvicorn's health checks are answered by a thread of their own.)"""
    with socket.create_connection(("127.0.0.1", int(os.environ[GATE_PORT]))) as gate:
        gate.sendall(f"{point} {os.getpid()}\n".encode())
        gate.recv(16)  # blocking on purpose


class HeldBus:
    """In the service: a module's message bus whose commands are held (`hold()`) first."""

    def __init__(self, bus: Any, hold: Callable[[], Awaitable[None]]) -> None:
        self._bus = bus
        self._hold = hold

    async def run(self, use_case: Any, *args: Any, **kwargs: Any) -> Any:
        await self._hold()
        return await self._bus.run(use_case, *args, **kwargs)


@dataclass(frozen=True)
class Arrival:
    point: str
    pid: int


class Gate:
    """In the test: every point is closed until opened."""

    def __init__(self) -> None:
        self.arrivals: list[Arrival] = []
        self._waiting: list[tuple[Arrival, asyncio.StreamWriter]] = []
        self._open: set[str] = set()
        self._arrived = asyncio.Condition()
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> "Gate":
        self._server = await asyncio.start_server(self._arrive, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *_exception: object) -> None:
        assert self._server is not None
        self._server.close()
        for _arrival, writer in self._waiting:
            writer.close()
        self._waiting.clear()

    @property
    def env(self) -> dict[str, str]:
        """What the service's environment needs to find the gate."""
        assert self._server is not None
        return {GATE_PORT: str(self._server.sockets[0].getsockname()[1])}

    def at(self, point: str) -> list[Arrival]:
        """Who arrived at `point`, since the test began."""
        return [arrival for arrival in self.arrivals if arrival.point == point]

    def held(self, point: str) -> list[Arrival]:
        """Who is waiting at `point` now."""
        return [arrival for arrival, _writer in self._waiting if arrival.point == point]

    async def until(self, seen: Callable[["Gate"], bool], what: str,
                    within_s: float = WAIT_AT_MOST_S) -> None:
        """Wait until `seen(self)` holds, for the arrivals so far."""
        async with self._arrived:
            try:
                await asyncio.wait_for(self._arrived.wait_for(lambda: seen(self)), within_s)
            except TimeoutError:
                raise AssertionError(f"waited {within_s:.0f} s for {what}; arrivals: "
                                     f"{self.arrivals}") from None

    def open(self, point: str) -> None:
        """Let everyone waiting at `point` through, and whoever arrives there later."""
        self._open.add(point)
        for arrival, writer in list(self._waiting):
            if arrival.point == point:
                self._waiting.remove((arrival, writer))
                writer.write(b"go\n")
                writer.close()  # after the line is sent

    def let_one_through(self, point: str) -> None:
        """Let the first who is waiting at `point` through, and no one else."""
        for arrival, writer in self._waiting:
            if arrival.point == point:
                self._waiting.remove((arrival, writer))
                writer.write(b"go\n")
                writer.close()
                return
        raise AssertionError(f"nobody waits at {point}")

    def close(self, point: str) -> None:
        """Hold whoever arrives at `point` from now on."""
        self._open.discard(point)

    async def _arrive(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        point, _, pid = (await reader.readline()).decode().strip().rpartition(" ")
        if not pid.isdigit():  # the caller went away before it said who it was
            writer.close()
            return
        arrival = Arrival(point, int(pid))
        self._waiting.append((arrival, writer))
        if point in self._open:
            self.open(point)
        async with self._arrived:
            self.arrivals.append(arrival)
            self._arrived.notify_all()
