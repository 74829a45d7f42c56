"""Permits register: permits and certificates the agencies issue, and the write-off ledger

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "permits",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("number", sa.String(length=70), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("issuing_agency", sa.String(length=32), nullable=False),
        sa.Column("holder_id", sa.String(length=64), nullable=False),
        sa.Column("hs_codes", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=3), nullable=False),
        sa.Column("quantity_milli", sa.BigInteger(), nullable=False),
        sa.Column("remaining_milli", sa.BigInteger(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("issued_by", sa.String(length=40), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("remaining_milli >= 0", name="ck_permits_remaining_not_negative"),
        sa.CheckConstraint("remaining_milli <= quantity_milli", name="ck_permits_remaining_within_quantity"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permits")),
        sa.UniqueConstraint("number", name=op.f("uq_permits_number")),
    )
    with op.batch_alter_table("permits", schema=None) as batch_op:
        batch_op.create_index("ix_permits_holder", ["holder_id"], unique=False)

    op.create_table(
        "permit_write_offs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("permit_id", sa.String(length=40), nullable=False),
        sa.Column("submission_id", sa.String(length=64), nullable=False),
        sa.Column("submission_version", sa.Integer(), nullable=False),
        sa.Column("goods_item", sa.Integer(), nullable=False),
        sa.Column("quantity_milli", sa.BigInteger(), nullable=False),
        sa.Column("written_off_by", sa.String(length=64), nullable=False),
        sa.Column("written_off_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("quantity_milli > 0", name="ck_permit_write_offs_positive"),
        sa.ForeignKeyConstraint(["permit_id"], ["permits.id"], name=op.f("fk_permit_write_offs_permit_id_permits")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_write_offs")),
        sa.UniqueConstraint(
            "permit_id", "submission_id", "submission_version", "goods_item", name="uq_permit_write_offs_key"
        ),
    )


def downgrade() -> None:
    op.drop_table("permit_write_offs")
    with op.batch_alter_table("permits", schema=None) as batch_op:
        batch_op.drop_index("ix_permits_holder")
    op.drop_table("permits")
