"""Event history chained by hash per submission (platform.state.chain): each event's position and hash,
each submission's chain head.

Events already stored keep NULL links: they were written before the chain existed and are not covered by
it. A submission's chain starts at its first event written after this migration (``nsw audit verify``
counts the earlier ones and says they are outside the chain).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain_index", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("entry_hash", sa.String(length=64), nullable=True))
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain_head", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("chain_length", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_column("chain_length")
        batch_op.drop_column("chain_head")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("entry_hash")
        batch_op.drop_column("chain_index")
