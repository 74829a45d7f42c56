"""Joint (one-stop) inspections: a slot proposed to every agency that requires a physical inspection of one
consignment version on the RED channel, each agency's answer, attendance and own findings.

Two new tables; nothing existing changes.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "joint_inspections",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("submission_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("ucr", sa.String(length=35), nullable=False),
        sa.Column("slot_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("proposing_agency", sa.String(length=32), nullable=False),
        sa.Column("proposed_by", sa.String(length=40), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joint_inspections")),
    )
    op.create_index("ix_joint_inspections_version", "joint_inspections", ["submission_id", "version"])
    op.create_table(
        "joint_inspection_parties",
        sa.Column("inspection_id", sa.BigInteger(), nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("response", sa.String(length=10), nullable=False),
        sa.Column("responded_by", sa.String(length=40), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decline_reason", sa.String(length=500), nullable=True),
        sa.Column("attended", sa.Boolean(), nullable=True),
        sa.Column("findings", sa.String(length=4000), nullable=True),
        sa.Column("attendance_by", sa.String(length=40), nullable=True),
        sa.Column("attendance_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["joint_inspections.id"],
            name=op.f("fk_joint_inspection_parties_inspection_id_joint_inspections"),
        ),
        sa.PrimaryKeyConstraint("inspection_id", "agency", name=op.f("pk_joint_inspection_parties")),
    )
    op.create_index("ix_joint_inspection_parties_agency", "joint_inspection_parties", ["agency", "response"])


def downgrade() -> None:
    op.drop_index("ix_joint_inspection_parties_agency", table_name="joint_inspection_parties")
    op.drop_table("joint_inspection_parties")
    op.drop_index("ix_joint_inspections_version", table_name="joint_inspections")
    op.drop_table("joint_inspections")
