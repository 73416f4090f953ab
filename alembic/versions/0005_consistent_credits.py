"""consistent credits: a key to authors, book event sequences, streams per subscriber

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 15:20:00

- book_authors.author_id references authors.id (RESTRICT): no book credits an author who
  does not exist, and an author a book credits cannot be deleted. Credits of authors deleted
  before this key existed (hidden credits, issue 10) are removed first.
- books.last_event_sequence, and author_books.credited / book_sequence: each Book event
  carries its number, and an author remembers the last one applied per book.
- event_publications.subscriber: the module a listener belongs to; ordering is per aggregate
  and subscriber, no longer per listener.
- Stored events still waiting (not completed) are rewritten to schema 2: each gets its
  book's next sequence number, in publication order, and the book's counter continues from
  there. The authors' existing rows start at 0, below every renumbered event, so the waiting
  events still apply, in order. (Each event type has one listener today, so a row is an
  event.)
"""
from typing import Any, Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BOOK_EVENTS = ("AuthorAddedToBook", "AuthorRemovedFromBook", "BookDeleted")


def upgrade() -> None:
    op.add_column("books", sa.Column("last_event_sequence", sa.BigInteger(), nullable=False,
                                     server_default="0"))
    op.add_column("author_books", sa.Column("credited", sa.Boolean(), nullable=False,
                                            server_default=sa.true()))
    op.add_column("author_books", sa.Column("book_sequence", sa.BigInteger(), nullable=False,
                                            server_default="0"))

    op.execute("DELETE FROM book_authors WHERE author_id NOT IN (SELECT id FROM authors)")
    with op.batch_alter_table("book_authors") as batch:
        batch.create_foreign_key("fk_book_authors_author_id_authors", "authors",
                                 ["author_id"], ["id"], ondelete="RESTRICT")

    op.add_column("event_publications", sa.Column("subscriber", sa.String(50), nullable=True))
    # Listener names read "module.reaction": the module is the subscriber.
    bind = op.get_bind()
    listeners = [row[0] for row in bind.execute(
        sa.text("SELECT DISTINCT listener FROM event_publications"))]
    for listener in listeners:
        bind.execute(sa.text("UPDATE event_publications SET subscriber = :subscriber "
                             "WHERE listener = :listener"),
                     {"subscriber": listener.split(".", 1)[0], "listener": listener})
    with op.batch_alter_table("event_publications") as batch:
        batch.alter_column("subscriber", existing_type=sa.String(50), nullable=False)
        batch.drop_index("ix_event_publications_stream")
        batch.create_index("ix_event_publications_stream",
                           ["aggregate_id", "subscriber", "id"])

    _number_waiting_book_events(bind)


def _number_waiting_book_events(bind: Any) -> None:
    publications = sa.table("event_publications", sa.column("id"), sa.column("event_type"),
                            sa.column("schema_version"), sa.column("payload", sa.JSON),
                            sa.column("aggregate_id"), sa.column("completed_at_ms"))
    books = sa.table("books", sa.column("id"), sa.column("last_event_sequence"))
    waiting = bind.execute(
        sa.select(publications.c.id, publications.c.aggregate_id, publications.c.payload)
        .where(publications.c.event_type.in_(BOOK_EVENTS),
               publications.c.schema_version == 1, publications.c.completed_at_ms.is_(None))
        .order_by(publications.c.id)
    ).all()
    last: dict[int, int] = {}
    for row in waiting:
        sequence = last[row.aggregate_id] = last.get(row.aggregate_id, 0) + 1
        bind.execute(sa.update(publications).where(publications.c.id == row.id).values(
            payload={**row.payload, "sequence": sequence}, schema_version=2))
    for book_id, sequence in last.items():
        bind.execute(sa.update(books).where(books.c.id == book_id)
                     .values(last_event_sequence=sequence))


def downgrade() -> None:
    with op.batch_alter_table("event_publications") as batch:
        batch.drop_index("ix_event_publications_stream")
        batch.create_index("ix_event_publications_stream", ["aggregate_id", "listener", "id"])
        batch.drop_column("subscriber")
    with op.batch_alter_table("book_authors") as batch:
        batch.drop_constraint("fk_book_authors_author_id_authors", type_="foreignkey")
    op.execute("DELETE FROM author_books WHERE NOT credited")
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not a batch rebuild: rebuilding
    # `books` drops the table, and with foreign keys on that deletes every credit.
    op.drop_column("author_books", "book_sequence")
    op.drop_column("author_books", "credited")
    op.drop_column("books", "last_event_sequence")
