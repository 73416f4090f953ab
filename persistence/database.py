"""Engines and session factories; made by the container, never at import time."""

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session

_CONNECTED = "bookshelf.connected"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def read_pool_share(pool_size: int) -> int:
    """The read pool's size (persistence/reads.py), out of the budget of twice `pool_size`
    connections a process holds: the writers' pool takes `pool_size`, its overflow and the
    read pool share the rest, so four workers stay under PostgreSQL's default 100."""
    return max(1, pool_size // 2)


def create_engine(
    url: str, *, echo: bool = False, pool_size: int = 10, connect_timeout_s: float = 5.0,
    statement_timeout_s: float = 15.0,
) -> AsyncEngine:
    if is_sqlite(url):
        # A busy timeout lets concurrent writers queue instead of failing at once.
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_on_connect)
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
        return engine
    # Bounded waits everywhere, so a database that stops answering turns into quick 503s
    # rather than requests hanging: for a connection (asyncpg would wait 60 s), for a pooled
    # one, and for any one statement. No pre-ping (a round trip per checkout, measured at
    # ~15 % of a read): a lost connection is detected by the statement that meets it, and
    # SQLAlchemy then invalidates the whole pool, so the next requests reconnect.
    return create_async_engine(
        url, echo=echo, pool_size=pool_size, max_overflow=pool_size - read_pool_share(pool_size),
        pool_timeout=connect_timeout_s,
        connect_args={"timeout": connect_timeout_s, "command_timeout": statement_timeout_s},
    )


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own transaction handling begins late (at the first write) and deferred;
    # transactions are begun below instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")  # SQLite ignores foreign keys without it
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not wait for the writer
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    """Take SQLite's write lock when a transaction begins, not at its first write: a
    transaction that read and then writes could otherwise fail at once with "database is
    locked" when another writer committed in between (its snapshot is stale). Writers queue
    on the busy timeout instead. Autocommit reads begin nothing."""
    if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class WriteSession(Session):
    """A session that remembers whether it has taken a connection yet (see connected)."""


@event.listens_for(WriteSession, "after_begin")
def _took_a_connection(session: Session, _transaction: Any, _connection: Any) -> None:
    session.info[_CONNECTED] = True


def connected(session: AsyncSession) -> bool:
    """Whether `session` has sent anything yet, and so holds a connection, in a transaction
    or not. Until it has, the first statement may still choose how it is sent."""
    return bool(session.info.get(_CONNECTED))


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: aggregates stay readable after commit without lazy I/O.
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False,
                              sync_session_class=WriteSession)


def reading(engine: AsyncEngine) -> AsyncEngine:
    """The same pool, for single-statement reads: no BEGIN and ROLLBACK around each one
    (two round trips of three, for a read that needs no transaction)."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")
