"""Hub risk service: agencies' trusted profile keys, their signed versioned profiles, the per-agency
assessment of each routed version, AEO authorisations, and a compliant flag on joint inspection findings
(negative findings count in the trader's history).

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    op.create_table(
        "risk_keys",
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_id", name=op.f("pk_risk_keys")),
    )
    op.create_index("ix_risk_keys_agency", "risk_keys", ["agency"])
    op.create_table(
        "risk_profiles",
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("profile_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.String(length=40), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("agency", "profile_id", "version", name=op.f("pk_risk_profiles")),
    )
    op.create_table(
        "risk_assessments",
        sa.Column("submission_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=24), nullable=False),
        sa.Column("hits", sa.JSON(), nullable=False),
        sa.Column("profiles", sa.JSON(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("aeo", sa.Boolean(), nullable=False),
        sa.Column("trader_id", sa.String(length=40), nullable=False),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("submission_id", "version", "agency", name=op.f("pk_risk_assessments")),
    )
    op.create_table(
        "aeo_authorisations",
        sa.Column("trader_id", sa.String(length=40), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("trader_id", "number", name=op.f("pk_aeo_authorisations")),
    )
    with op.batch_alter_table("joint_inspection_parties", schema=None) as batch_op:
        batch_op.add_column(sa.Column("compliant", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("joint_inspection_parties", schema=None) as batch_op:
        batch_op.drop_column("compliant")
    op.drop_table("aeo_authorisations")
    op.drop_table("risk_assessments")
    op.drop_table("risk_profiles")
    op.drop_index("ix_risk_keys_agency", table_name="risk_keys")
    op.drop_table("risk_keys")
