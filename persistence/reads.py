"""Single-statement reads (the query side of CQRS), sent the shortest way each engine allows.

Every read is written once, as a SQLAlchemy Core statement with named parameters. On
PostgreSQL it is compiled once to asyncpg's SQL and sent straight to an asyncpg pool of its
own: for a one-statement read, SQLAlchemy's execution path (checkout, cursor adaptation,
result processing) cost more than PostgreSQL took to answer, and a read holds no
transaction, no identity map and no unit of work that would need it. On the embedded SQLite
default the same statement runs through SQLAlchemy Core on an autocommit connection.
Either way the rows come back as mappings, by column name.
"""

import asyncio
import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import asyncpg
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.database import is_sqlite, reading
from persistence.turns import Turns

Rows = Sequence[Mapping[str, Any]]
Watcher = Callable[[str, tuple[Any, ...]], None]

# What a connection that is gone, refused or shutting down raises through asyncpg. Each is
# turned into a ConnectionError, which the service answers as "the database is unavailable"
# (503), as it does the same failures met through SQLAlchemy. Timeouts are OSErrors already.
_UNREACHABLE = (
    asyncpg.InterfaceError,  # the connection was closed under the statement
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.OperatorInterventionError,  # the server is shutting down or cancelled us
    asyncpg.TooManyConnectionsError,  # max_connections reached: over as connections close
)


async def _nothing_to_reset(_connection: asyncpg.Connection) -> None:
    """A read leaves nothing on its connection to undo (no SET, LISTEN, advisory lock or
    open cursor), so a connection goes back to the pool without asyncpg's reset statement:
    a round trip less per read."""


class Reads:
    def __init__(self, engine: AsyncEngine, *, pool_size: int = 10,
                 connect_timeout_s: float = 5.0, statement_timeout_s: float = 15.0) -> None:
        self._engine = engine
        self._sqlite = is_sqlite(engine.url.render_as_string())
        self._autocommit = reading(engine)
        self._pool_size = pool_size
        self._connect_timeout_s = connect_timeout_s
        self._statement_timeout_s = statement_timeout_s
        self._compiled: dict[Select[Any], tuple[str, tuple[str, ...]]] = {}
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()
        self._turns = Turns(pool_size, wait_s=connect_timeout_s)
        self._watchers: list[Watcher] = []
        self._in_use: Callable[[int], None] | None = None  # told +1 and -1 (metrics)

    async def rows(self, statement: Select[Any], parameters: Mapping[str, Any]) -> Rows:
        """The rows `statement` reads with `parameters`. Build `statement` once and reuse it:
        its compiled form is kept by the statement object."""
        if self._sqlite:
            async with self._autocommit.connect() as connection:
                return (await connection.execute(statement, dict(parameters))).mappings().all()
        sql, names = self._compile(statement)
        arguments = tuple(parameters[name] for name in names)
        for watcher in self._watchers:
            watcher(sql, arguments)
        try:
            pool = self._pool or await self._open()
            async with self._turns, pool.acquire() as connection:  # in order: see turns.py
                if self._in_use is None:
                    return await connection.fetch(sql, *arguments)
                self._in_use(1)
                try:
                    return await connection.fetch(sql, *arguments)
                finally:
                    self._in_use(-1)
        except _UNREACHABLE as error:
            raise ConnectionError(f"{type(error).__name__}: {error}") from error

    def _compile(self, statement: Select[Any]) -> tuple[str, tuple[str, ...]]:
        found = self._compiled.get(statement)
        if found is None:
            compiled = statement.compile(dialect=self._engine.dialect)
            found = self._compiled[statement] = (compiled.string,
                                                 tuple(compiled.positiontup or ()))
        return found

    async def _open(self) -> asyncpg.Pool:
        async with self._opening:
            if self._pool is None:
                url = self._engine.url.set(drivername="postgresql")
                self._pool = await asyncpg.create_pool(
                    url.render_as_string(hide_password=False),
                    min_size=1, max_size=self._pool_size,
                    timeout=self._connect_timeout_s,
                    command_timeout=self._statement_timeout_s,
                    reset=_nothing_to_reset,
                )
            return self._pool

    @contextlib.contextmanager
    def watching(self, watcher: Watcher) -> Iterator[None]:
        """`watcher` is told of each statement sent to the asyncpg pool meanwhile, with its
        arguments: those SQLAlchemy's events do not see (tests count round trips with both)."""
        self._watchers.append(watcher)
        try:
            yield
        finally:
            self._watchers.remove(watcher)

    @contextlib.contextmanager
    def connections_counted(self, in_use: Callable[[int], None]) -> Iterator[None]:
        """`in_use` is told of each connection taken from the asyncpg pool (+1) and given
        back (-1) meanwhile."""
        self._in_use = in_use
        try:
            yield
        finally:
            self._in_use = None

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()
