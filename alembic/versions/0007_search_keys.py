"""search keys: titles and names folded for searching, with trigram indexes on PostgreSQL

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 10:00:00

- books.title_key, authors.first_name_key and authors.last_name_key hold the text NFC-
  normalised and case-folded (persistence/search_keys.py); searches look for the folded term
  in them with a plain LIKE, so both engines agree on "any case" beyond ASCII (issue 11).
  Existing rows are filled in here, in Python, since neither engine folds case like Python.
  On SQLite the key columns keep a DEFAULT '' they needed to be added (see upgrade).
- PostgreSQL: a GIN trigram index on each key replaces 0004's indexes on lower(title) and
  lower(first_name / last_name), which no query could use (issue 12). pg_trgm comes from 0004.
  They are not in the MetaData (PostgreSQL only); the autogenerate test ignores `_trgm` names.
- SQLite gets no index: a B-tree cannot serve LIKE '%term%' (no fixed prefix), so the
  embedded default reads every key, which is fine at its scale.
- Measured at 10^6 books on PostgreSQL: about 45 s, in one transaction; a service that
  migrates at startup is not ready meanwhile (README: migrate as a deploy step instead).
"""
import unicodedata
from typing import Any, Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

KEYS = {"books": {"title_key": "title"},
        "authors": {"first_name_key": "first_name", "last_name_key": "last_name"}}
# fastupdate off: a new row's trigrams go straight into the index rather than into a pending
# list that every search reads through. Measured at 10^6 books: a full pending list (4 MB)
# added 8-18 ms to each search; an insert costs up to a millisecond more without it.
INDEXES = {
    "ix_books_title_key_trgm": "books (title_key gin_trgm_ops) WITH (fastupdate = off)",
    "ix_authors_first_name_key_trgm":
        "authors (first_name_key gin_trgm_ops) WITH (fastupdate = off)",
    "ix_authors_last_name_key_trgm": "authors (last_name_key gin_trgm_ops) WITH (fastupdate = off)",
}
OLD_INDEXES = {  # migration 0004's
    "ix_books_title_trgm": "books (lower(title) gin_trgm_ops)",
    "ix_authors_first_name_trgm": "authors (lower(first_name) gin_trgm_ops)",
    "ix_authors_last_name_trgm": "authors (lower(last_name) gin_trgm_ops)",
}
BATCH = 10_000


def search_key(text: str) -> str:
    # persistence.search_keys.search_key as of this revision, copied so that the migration
    # keeps doing what it did if that function changes (a change there needs a new backfill).
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())


def upgrade() -> None:
    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    if postgresql:  # before the fill, which would otherwise update them for every row
        _drop_indexes(OLD_INDEXES)
    for table, keys in KEYS.items():
        for key in keys:
            # NOT NULL needs a default to be added on SQLite; it is dropped again below where
            # that is possible. (Making the column NOT NULL afterwards would mean rebuilding the
            # table on SQLite, and dropping `books` there, with foreign keys on, deletes every
            # row that refers to it: its credits.)
            op.add_column(table, sa.Column(key, sa.Text(), nullable=False, server_default=""))
        _fill(bind, table, keys)
    if postgresql:
        for table, keys in KEYS.items():
            for key in keys:
                # No default: a row written without its key fails instead of hiding from search.
                op.alter_column(table, key, server_default=None)
        _create_indexes(INDEXES)


def _fill(bind: Any, name: str, keys: dict[str, str]) -> None:
    """Every row's keys from its text, a batch at a time in id order."""
    table = sa.table(name, sa.column("id"), *(sa.column(c) for c in [*keys, *keys.values()]))
    last = None
    while True:
        page = sa.select(table.c.id, *(table.c[text] for text in keys.values()))
        if last is not None:
            page = page.where(table.c.id > last)
        rows = bind.execute(page.order_by(table.c.id).limit(BATCH)).all()
        if not rows:
            return
        batch = {"ids": [row.id for row in rows],
                 **{key: [search_key(row._mapping[text]) for row in rows]
                    for key, text in keys.items()}}
        if bind.dialect.name == "postgresql":
            bind.execute(_fill_batch_sql(name, keys), batch)
        else:
            bind.execute(
                sa.update(table).where(table.c.id == sa.bindparam("row_id"))
                .values({key: sa.bindparam(f"new_{key}") for key in keys}),
                [{"row_id": row_id, **{f"new_{key}": batch[key][i] for key in keys}}
                 for i, row_id in enumerate(batch["ids"])])
        last = rows[-1].id


def _fill_batch_sql(name: str, keys: dict[str, str]) -> Any:
    # One UPDATE per batch, joined to the batch as arrays. At 10^6 books the whole upgrade
    # takes 44 s this way (98 s with an UPDATE per row and the old indexes kept up to date).
    arrays = ", ".join(f"CAST(:{key} AS TEXT[])" for key in keys)
    return sa.text(
        f"UPDATE {name} SET {', '.join(f'{key} = batch.{key}' for key in keys)} "
        f"FROM unnest(CAST(:ids AS BIGINT[]), {arrays}) AS batch(id, {', '.join(keys)}) "
        f"WHERE {name}.id = batch.id")


def _drop_indexes(indexes: dict[str, str]) -> None:
    for name in indexes:
        op.execute(f"DROP INDEX IF EXISTS {name}")


def _create_indexes(indexes: dict[str, str]) -> None:
    for name, target in indexes.items():
        table, expression = target.split(" ", 1)
        op.execute(f"CREATE INDEX {name} ON {table} USING gin {expression}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _drop_indexes(INDEXES)
        _create_indexes(OLD_INDEXES)
    for table, keys in KEYS.items():
        for key in keys:
            # Not in batch mode: SQLite (3.35+) drops a column in place; a rebuild would delete
            # the rows that refer to the table (see upgrade).
            op.drop_column(table, key)
