"""worker leases: each process leases its snowflake worker id

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 00:20:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('worker_leases',
    sa.Column('worker_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('holder', sa.String(length=255), nullable=False),
    sa.Column('acquired_at_ms', sa.BigInteger(), nullable=False),
    sa.Column('expires_at_ms', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('worker_id BETWEEN 0 AND 1023', name=op.f('ck_worker_leases_worker_id')),
    sa.PrimaryKeyConstraint('worker_id', name=op.f('pk_worker_leases'))
    )


def downgrade() -> None:
    op.drop_table('worker_leases')
