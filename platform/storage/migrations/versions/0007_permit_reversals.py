"""Permits register: reversals of write-offs (a cancelled or replaced declaration gives its quantity back)

A reversal is its own ledger row naming the write-off it reverses; nothing is deleted. The unique
write_off_id keeps a write-off from being reversed twice.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.create_table(
        "permit_reversals",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("write_off_id", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("reversed_by", sa.String(length=64), nullable=False),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["write_off_id"], ["permit_write_offs.id"], name=op.f("fk_permit_reversals_write_off_id_permit_write_offs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_reversals")),
        sa.UniqueConstraint("write_off_id", name=op.f("uq_permit_reversals_write_off_id")),
    )


def downgrade() -> None:
    op.drop_table("permit_reversals")
