"""A loopback TCP proxy in front of the database that a test can break in three ways and mend:

- `cut()`: the server is gone: open connections reset, new ones refused (errors come at once);
- `stall()`: the network goes silent: nothing gets through, on open connections or new ones
  (accepted, then never answered), and nothing is closed or refused, so only a timeout ends
  a wait;
- `stall_new()`: the server restarted and hangs at the door: open connections reset, new
  ones accepted and never answered.

`restore()` mends all three. After a stall, what waited in the proxy is delivered, as a
network that heals delivers what it held; connections accepted meanwhile reach the server.
"""

import asyncio
import contextlib


class CuttableProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        # What a stall held: connections accepted (a client waited to connect), and sends on
        # open connections (a statement, or its answer, that never arrived).
        self.held_connections = 0
        self.held_sends = 0
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.StreamWriter] = set()
        self._flowing = asyncio.Event()
        self._flowing.set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        """The database is gone: new connections are refused, open ones reset."""
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
        self._server = None
        self._reset_open_connections()
        self._flowing.set()  # what waited on a stall finds its connection reset, and ends

    async def stall(self) -> None:
        """The database stops answering: every byte, old connection or new, waits here."""
        self._flowing.clear()

    async def stall_new(self) -> None:
        """Open connections reset; new ones are accepted and hear nothing."""
        self._flowing.clear()
        self._reset_open_connections()

    async def restore(self) -> None:
        if self._server is None:
            await self.start()
        self._flowing.set()

    def _reset_open_connections(self) -> None:
        for writer in list(self._connections):
            writer.transport.abort()
        self._connections.clear()

    async def _serve(self, client_reader: asyncio.StreamReader,
                     client_writer: asyncio.StreamWriter) -> None:
        self._connections.add(client_writer)
        if not self._flowing.is_set():
            self.held_connections += 1
            await self._flowing.wait()
            if client_writer.transport.is_closing():  # reset meanwhile
                return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        self._connections.add(upstream_writer)
        await asyncio.gather(self._pipe(client_reader, upstream_writer),
                             self._pipe(upstream_reader, client_writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                if not self._flowing.is_set():  # read during a stall: held until it ends
                    self.held_sends += 1
                    await self._flowing.wait()
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self._connections.discard(writer)
            writer.transport.abort()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
