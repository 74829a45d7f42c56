"""Attachments (metadata and uploaders), the officer queue with its decisions, border events

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=127), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by", sa.String(length=40), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_attachments")),
    )
    op.create_table(
        "attachment_uploads",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("principal_id", sa.String(length=40), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "principal_id", name=op.f("pk_attachment_uploads")),
    )
    op.create_index("ix_attachment_uploads_principal", "attachment_uploads", ["principal_id"])

    op.create_table(
        "officer_queue",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("submission_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("ucr", sa.String(length=35), nullable=False),
        sa.Column("view", sa.String(length=64), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("enqueued_by", sa.String(length=40), nullable=False),
        sa.Column("enqueued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=40), nullable=True),
        sa.Column("claim_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officer_queue")),
        sa.UniqueConstraint("agency", "submission_id", "version", "attempt", name="uq_officer_queue_handover"),
    )
    op.create_index("ix_officer_queue_waiting", "officer_queue", ["agency", "decided_at", "id"])

    op.create_table(
        "officer_decisions",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("queue_id", sa.BigInteger(), nullable=False),
        sa.Column("agency", sa.String(length=32), nullable=False),
        sa.Column("submission_id", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.String(length=40), nullable=False),
        sa.Column("decision", sa.JSON(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officer_decisions")),
    )
    op.create_index("ix_officer_decisions_unpublished", "officer_decisions", ["agency", "published_at"])

    op.create_table(
        "border_events",
        sa.Column("document_id", sa.String(length=64), nullable=False),
        sa.Column("ucr", sa.String(length=35), nullable=False),
        sa.Column("event_type", sa.String(length=10), nullable=False),
        sa.Column("border_crossing_point", sa.String(length=17), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recording_agency", sa.String(length=32), nullable=False),
        sa.Column("recorded_by", sa.String(length=40), nullable=False),
        sa.Column("submission_id", sa.String(length=40), nullable=True),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("document_id", name=op.f("pk_border_events")),
    )
    op.create_index("ix_border_events_ucr", "border_events", ["ucr", "occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_border_events_ucr", table_name="border_events")
    op.drop_table("border_events")
    op.drop_index("ix_officer_decisions_unpublished", table_name="officer_decisions")
    op.drop_table("officer_decisions")
    op.drop_index("ix_officer_queue_waiting", table_name="officer_queue")
    op.drop_table("officer_queue")
    op.drop_index("ix_attachment_uploads_principal", table_name="attachment_uploads")
    op.drop_table("attachment_uploads")
    op.drop_table("attachments")
