"""trigram indexes: case-insensitive substring search on titles and names (PostgreSQL)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 01:25:00

The queries search `lower(column) LIKE '%term%'`; a GIN trigram index on exactly that
expression serves it, so a title search stays fast at millions of books. SQLite has no such
index: the embedded default scans, which is fine at its scale. The indexes are not in the
MetaData (they are PostgreSQL-only expression indexes); the autogenerate test ignores them.
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

INDEXES = {
    "ix_books_title_trgm": "books (lower(title) gin_trgm_ops)",
    "ix_authors_first_name_trgm": "authors (lower(first_name) gin_trgm_ops)",
    "ix_authors_last_name_trgm": "authors (lower(last_name) gin_trgm_ops)",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, target in INDEXES.items():
        table, expression = target.split(" ", 1)
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin {expression}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
