"""What a failed delivery leaves in `last_error` (and the log): the exception's type and a
message an operator may read, never SQL, parameters or stored values.

SQLAlchemy's own text carries all three (`[SQL: ...] [parameters: ...]`, and the driver's
message quotes the values a constraint refused), so a database error is told by its classes
only: SQLAlchemy's type, the driver's class (UniqueViolationError, IntegrityError), and a
fixed sentence. Other exceptions keep their message, cut to a bounded length.
"""

from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError

MAX_ERROR_TEXT = 500

# Most specific first: IntegrityError is a DBAPIError too.
_DATABASE_FAILURES: tuple[tuple[type[SQLAlchemyError], str], ...] = (
    (IntegrityError, "a constraint refused the change"),
    (DataError, "a value did not fit its column"),
    (OperationalError, "the database could not run the statement"),
    (ProgrammingError, "the database refused the statement"),
    (InterfaceError, "the connection to the database failed"),
    (DBAPIError, "the database refused the statement"),
    (PoolTimeout, "no database connection was free in time"),
    (StaleDataError, "a row changed or went away meanwhile"),
)


def failure_text(error: BaseException) -> str:
    """`Type: message`, safe to store and show to operators."""
    if isinstance(error, SQLAlchemyError):
        return _database_failure(error)
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= MAX_ERROR_TEXT else text[:MAX_ERROR_TEXT - 1] + "…"


def _database_failure(error: SQLAlchemyError) -> str:
    meaning = next((said for kind, said in _DATABASE_FAILURES if isinstance(error, kind)),
                   "the database layer failed")
    kind = type(error).__name__
    driver = type(error.orig).__name__ if isinstance(error, DBAPIError) else kind
    return f"{kind}: {meaning}" + (f" ({driver})" if driver != kind else "")
