"""publications keep the trace context and request id of the request that recorded them

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21 21:00:00

A publication delivered later (by the relay, in another process, after a restart) continues
the trace of the request that recorded it: its W3C traceparent is stored beside it (NULL when
tracing is off or the request was not sampled). Its request id too, so the delivery's log lines
and error reports name the request that caused them.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("event_publications", sa.Column("trace_context", sa.String(55), nullable=True))
    op.add_column("event_publications", sa.Column("request_id", sa.String(128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("event_publications") as table:
        table.drop_column("request_id")
        table.drop_column("trace_context")
