"""Invoices (one per submission), their lines per agency and fee, payment initiations and the provider
notices read back (platform.payments.tables).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    op.create_table(
        "invoices",
        sa.Column("submission_id", sa.String(length=40), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=25), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("priced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["submissions.id"], name=op.f("fk_invoices_submission_id_submissions")
        ),
        sa.PrimaryKeyConstraint("submission_id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
        sa.UniqueConstraint("reference", name=op.f("uq_invoices_reference")),
    )
    op.create_table(
        "invoice_lines",
        sa.Column("submission_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("fee_code", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("amount", sa.String(length=24), nullable=False),
        sa.Column("schedule_id", sa.String(length=64), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["invoices.submission_id"], name=op.f("fk_invoice_lines_submission_id_invoices")
        ),
        sa.PrimaryKeyConstraint(
            "submission_id", "version", "agency", "fee_code", "currency", name=op.f("pk_invoice_lines")
        ),
    )
    op.create_index("ix_invoice_lines_status", "invoice_lines", ["submission_id", "version", "status"])
    op.create_table(
        "payment_initiations",
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("submission_id", sa.String(length=40), nullable=False),
        sa.Column("principal_id", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.String(length=24), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"], ["invoices.submission_id"], name=op.f("fk_payment_initiations_submission_id_invoices")
        ),
        sa.PrimaryKeyConstraint("provider", "message_id", name=op.f("pk_payment_initiations")),
    )
    op.create_table(
        "payment_notices",
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("entry_reference", sa.String(length=100), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=True),
        sa.Column("amount", sa.String(length=24), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("booked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("debtor_name", sa.String(length=140), nullable=True),
        sa.Column("submission_id", sa.String(length=40), nullable=True),
        sa.Column("applied", sa.String(length=24), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("provider", "entry_reference", name=op.f("pk_payment_notices")),
    )
    op.create_index("ix_payment_notices_submission", "payment_notices", ["submission_id"])
    op.create_index("ix_payment_notices_outcome", "payment_notices", ["outcome"])


def downgrade() -> None:
    op.drop_index("ix_payment_notices_outcome", table_name="payment_notices")
    op.drop_index("ix_payment_notices_submission", table_name="payment_notices")
    op.drop_table("payment_notices")
    op.drop_table("payment_initiations")
    op.drop_index("ix_invoice_lines_status", table_name="invoice_lines")
    op.drop_table("invoice_lines")
    op.drop_table("invoices")
