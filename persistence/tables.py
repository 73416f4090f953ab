"""Every table of the service, under one MetaData (alembic compares against it).

Each module owns its tables and writes only to them; the Author module's list of books
follows the Book module's events. One rule spans both modules and no event can keep it: a
book may credit only an author who exists, and an author a book credits cannot be deleted.
Both modules live in one database, so one foreign key keeps it (book_authors.author_id), and
the two modules' transactions settle any race on it in the database. A module that moves to
its own database would trade it for a compensating event (README: splitting a module out).
Read queries may join across modules' tables: a view is not an aggregate.
"""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
    true,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# --- Book module -------------------------------------------------------------------------

books = Table(
    "books",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("title", String(255), nullable=False),
    # The title folded for searching (persistence/search_keys.py), kept by the mappers. On
    # PostgreSQL a trigram index serves `title_key LIKE '%term%'` (migration 0007).
    Column("title_key", Text, nullable=False),
    Column("isbn", String(13), nullable=False, unique=True),
    Column("pages", Integer, nullable=False),
    Column("price_amount", BigInteger, nullable=False),
    Column("price_currency", String(3), nullable=False),
    Column("publication_year", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    # The number of the book's last event; its events carry 1, 2, 3, ... (see its events).
    Column("last_event_sequence", BigInteger, nullable=False, server_default="0"),
    CheckConstraint("pages BETWEEN 1 AND 100000", name="pages"),
    CheckConstraint("price_amount >= 0", name="price_amount"),
)

book_authors = Table(
    "book_authors",
    metadata,
    Column("book_id", BigInteger, ForeignKey("books.id", ondelete="CASCADE"), primary_key=True),
    # The one key across modules (see above): RESTRICT, so deleting a credited author fails.
    Column("author_id", BigInteger, ForeignKey("authors.id", ondelete="RESTRICT"),
           primary_key=True),
    Column("position", Integer, nullable=False),
    Index(None, "author_id"),
)

# --- Author module -----------------------------------------------------------------------

authors = Table(
    "authors",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("first_name", String(100), nullable=False),
    Column("last_name", String(100), nullable=False),
    # The names folded for searching, like books.title_key; each has its trigram index.
    Column("first_name_key", Text, nullable=False),
    Column("last_name_key", Text, nullable=False),
    Column("biography", Text, nullable=True),
    Column("version", Integer, nullable=False),
)

author_books = Table(
    "author_books",
    metadata,
    Column(
        "author_id", BigInteger, ForeignKey("authors.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("book_id", BigInteger, primary_key=True),
    # What the author knows of the book, as of the book's event number `book_sequence`; a
    # book no longer credited stays as a row with credited false (see the Author aggregate).
    Column("credited", Boolean, nullable=False, server_default=true()),
    Column("book_sequence", BigInteger, nullable=False, server_default="0"),
)

# --- Snowflake worker ids (shared kernel) ------------------------------------------------

# One row per worker id ever leased. Times are epoch milliseconds read from the database's
# clock, so hosts with different clocks agree on when a lease runs out.
worker_leases = Table(
    "worker_leases",
    metadata,
    Column("worker_id", Integer, primary_key=True, autoincrement=False),
    Column("holder", String(255), nullable=False),
    Column("acquired_at_ms", BigInteger, nullable=False),
    Column("expires_at_ms", BigInteger, nullable=False),
    CheckConstraint("worker_id BETWEEN 0 AND 1023", name="worker_id"),
)


# --- Event publications (shared kernel): the transactional outbox -------------------------

# One row per event and subscribed listener, written in the transaction that recorded the
# event; completed in the listener's own transaction. Times are the database's epoch ms.
event_publications = Table(
    "event_publications",
    metadata,
    # Assigned at insert: events of one aggregate get increasing ids in commit order, because
    # their rows are written after the aggregate's own row, whose lock orders the writers.
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
           autoincrement=True),
    Column("event_type", String(100), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("aggregate_id", BigInteger, nullable=False),
    # The module the listener belongs to: one aggregate's publications reach one module in
    # order across all its listeners (the stream is aggregate and subscriber).
    Column("subscriber", String(50), nullable=False),
    Column("listener", String(100), nullable=False),
    Column("created_at_ms", BigInteger, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at_ms", BigInteger, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("completed_at_ms", BigInteger, nullable=True),
    Column("failed_at_ms", BigInteger, nullable=True),
    # The W3C traceparent of the request that recorded it, continued by its delivery
    # (README: Observability); NULL when tracing is off.
    Column("trace_context", String(55), nullable=True),
    # The id of that request (X-Request-ID), for the delivery's log lines and error reports.
    Column("request_id", String(128), nullable=True),
    Index("ix_event_publications_due", "next_attempt_at_ms",
          postgresql_where=text("completed_at_ms IS NULL AND failed_at_ms IS NULL"),
          sqlite_where=text("completed_at_ms IS NULL AND failed_at_ms IS NULL")),
    # The given-up-on ones, for the readiness count and the operators' listing; with the due
    # index (the open ones) the backlog is counted without reading the completed rows.
    Index("ix_event_publications_failed", "id",
          postgresql_where=text("failed_at_ms IS NOT NULL AND completed_at_ms IS NULL"),
          sqlite_where=text("failed_at_ms IS NOT NULL AND completed_at_ms IS NULL")),
    Index("ix_event_publications_stream", "aggregate_id", "subscriber", "id"),
    Index("ix_event_publications_completed", "completed_at_ms"),
    # SQLite: never hand out an id twice, not even after the newest rows were purged (the
    # default is the largest id plus one); a late duplicate delivery of a purged publication
    # must not complete a newer one. PostgreSQL's sequence never goes back anyway.
    sqlite_autoincrement=True,
)
