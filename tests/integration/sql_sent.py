"""Counting the SQL a test sends (like Django's assertNumQueries).

Only the test's own statements count: those its requests send through SQLAlchemy and straight
to the read pool. The event relay runs beside every test in a task of its own, which does not
see the context variable set here, so its polling never counts. Neither does the BEGIN that
SQLite's writers send (on PostgreSQL a transaction's BEGIN is no statement SQLAlchemy sees):
transactions are counted where they begin instead.
"""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from persistence.reads import Reads

_counting = ContextVar("counting", default=False)


@dataclass
class Sent:
    statements: list[str] = field(default_factory=list)
    transactions: int = 0

    def clear(self) -> None:
        self.statements.clear()
        self.transactions = 0

    @property
    def counts(self) -> tuple[int, int]:
        return len(self.statements), self.transactions


@contextlib.contextmanager
def counting(engine: AsyncEngine, reads: Reads) -> Iterator[Sent]:
    sent = Sent()
    token = _counting.set(True)

    def statement(_conn, _cursor, sql, _params, _context, _many):  # type: ignore[no-untyped-def]
        if _counting.get() and not sql.startswith("BEGIN"):
            sent.statements.append(sql)

    def began(connection):  # type: ignore[no-untyped-def]
        # An autocommit read "begins" in SQLAlchemy's events, but sends no BEGIN.
        autocommit = connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
        if _counting.get() and not autocommit:
            sent.transactions += 1

    event.listen(engine.sync_engine, "before_cursor_execute", statement)
    event.listen(engine.sync_engine, "begin", began)
    try:
        with reads.watching(lambda sql, _arguments: sent.statements.append(sql)):
            yield sent
    finally:
        event.remove(engine.sync_engine, "begin", began)
        event.remove(engine.sync_engine, "before_cursor_execute", statement)
        _counting.reset(token)
