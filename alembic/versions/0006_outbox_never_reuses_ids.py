"""outbox never reuses ids, and counts its backlog from partial indexes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 16:00:00

- SQLite: an INTEGER PRIMARY KEY without AUTOINCREMENT hands out the largest id plus one,
  so once the newest publications were purged their ids came round again, and a late
  duplicate delivery of a purged publication could complete the newer one that took its id.
  With AUTOINCREMENT SQLite never hands out an id twice. SQLite cannot add it to a table:
  the table is rebuilt, its rows (ids included) and indexes copied. Ids purged before this
  upgrade above the largest one kept cannot be known; from here on none comes round again.
- PostgreSQL: nothing to do; the id comes from a sequence, which never goes back.
- ix_event_publications_failed: the publications given up on. With ix_event_publications_due
  (the open ones) the readiness probe counts the backlog without reading the completed
  publications kept for the retention time (a full scan at 10^7 rows outlasted its timeout).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

FAILED = sa.text("failed_at_ms IS NOT NULL AND completed_at_ms IS NULL")


def upgrade() -> None:
    _rebuild_on_sqlite(autoincrement=True)
    op.create_index("ix_event_publications_failed", "event_publications", ["id"],
                    postgresql_where=FAILED, sqlite_where=FAILED)


def downgrade() -> None:
    op.drop_index("ix_event_publications_failed", table_name="event_publications")
    _rebuild_on_sqlite(autoincrement=False)


def _rebuild_on_sqlite(*, autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("event_publications", recreate="always",
                              table_kwargs={"sqlite_autoincrement": autoincrement}):
        pass
