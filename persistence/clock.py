"""The database's own clock, in epoch milliseconds, as an SQL expression."""

from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class database_now_ms(FunctionElement[int]):  # lower case: it reads as an SQL function
    type = BigInteger()
    inherit_cache = True


@compiles(database_now_ms, "postgresql")
def _postgresql(_element: Any, _compiler: Any, **_kw: Any) -> str:
    # clock_timestamp(), not now(): now() is frozen at the start of the transaction.
    return "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)"


@compiles(database_now_ms, "sqlite")
def _sqlite(_element: Any, _compiler: Any, **_kw: Any) -> str:
    return "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)"
