"""What a failed delivery leaves in last_error: the type and a safe message, never SQL."""

import sqlite3

from sqlalchemy.exc import IntegrityError, OperationalError, StatementError
from sqlalchemy.orm.exc import StaleDataError

from modules.shared_kernel.infrastructure.outbox.failures import MAX_ERROR_TEXT, failure_text

SQL = "INSERT INTO authors (id, biography) VALUES (?, ?)"
PARAMETERS = (117650090629267456, "s3cret")


def test_a_database_error_shows_its_classes_and_no_statement_parameters_or_values() -> None:
    driver = sqlite3.IntegrityError("UNIQUE constraint failed: authors.id = 117650090629267456")
    error = IntegrityError(SQL, PARAMETERS, driver)

    assert failure_text(error) == "IntegrityError: a constraint refused the change"


def test_the_drivers_own_class_is_named_when_it_says_more() -> None:
    class UniqueViolationError(Exception):
        pass

    error = IntegrityError(SQL, PARAMETERS, UniqueViolationError("Key (id)=(1) exists"))

    assert failure_text(error) == (
        "IntegrityError: a constraint refused the change (UniqueViolationError)")


def test_other_database_errors_are_told_by_their_class_alone() -> None:
    lost = OperationalError(SQL, PARAMETERS, ConnectionResetError("to 10.0.0.7 as bookshelf"))
    unbound = StatementError("bad value s3cret", SQL, PARAMETERS, ValueError("s3cret"))
    stale = StaleDataError("UPDATE statement on table 'books' expected to update 1 row(s)")

    assert failure_text(lost) == ("OperationalError: the database could not run the "
                                  "statement (ConnectionResetError)")
    assert failure_text(unbound) == "StatementError: the database layer failed"
    assert failure_text(stale) == "StaleDataError: a row changed or went away meanwhile"


def test_other_errors_keep_their_message_up_to_a_bound() -> None:
    assert failure_text(ConnectionError("author database unreachable")) == (
        "ConnectionError: author database unreachable")
    long = failure_text(ValueError("x" * 10_000))
    assert len(long) == MAX_ERROR_TEXT
    assert long.startswith("ValueError: xxx")
