"""Tables of the officer queue (documents waiting for an agency's officers, their claims and decisions) and
of the border events the border guard records, on the hub's one MetaData."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from singlewindow.platform.storage.tables import metadata

_ID = BigInteger().with_variant(Integer, "sqlite")

officer_queue = Table(
    "officer_queue",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("agency", String(32), nullable=False),
    Column("submission_id", String(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("ucr", String(35), nullable=False),
    Column("view", String(64), nullable=False),
    Column("document", JSON, nullable=False),
    Column("enqueued_by", String(40), nullable=False),
    Column("enqueued_at", DateTime(timezone=True), nullable=False),
    Column("claimed_by", String(40), nullable=True),
    Column("claim_expires_at", DateTime(timezone=True), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    # Lifecycle (migration 0006): withdrawn when the version was cancelled, superseded or replaced.
    Column("withdrawn_at", DateTime(timezone=True), nullable=True),
    Column("withdrawn_kind", String(24), nullable=True),
    Column("withdrawn_reason", String(1000), nullable=True),
    Column("superseded_by", Integer, nullable=True),
    Column("replaces", JSON, nullable=True),  # {"version": n, "changes": [JSON pointers]}
    Column("answers", JSON, nullable=True),  # [{"queryId", "querySequence", "answer", "answeredAt"}]
    UniqueConstraint("agency", "submission_id", "version", "attempt", name="uq_officer_queue_handover"),
)
Index("ix_officer_queue_waiting", officer_queue.c.agency, officer_queue.c.decided_at, officer_queue.c.id)

officer_decisions = Table(
    "officer_decisions",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("queue_id", BigInteger, nullable=False),
    Column("agency", String(32), nullable=False),
    Column("submission_id", String(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("officer_id", String(40), nullable=False),
    Column("decision", JSON, nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=True),
)
Index("ix_officer_decisions_unpublished", officer_decisions.c.agency, officer_decisions.c.published_at)

border_events = Table(
    "border_events",
    metadata,
    Column("document_id", String(64), primary_key=True),
    Column("ucr", String(35), nullable=False),
    Column("event_type", String(10), nullable=False),
    Column("border_crossing_point", String(17), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("recording_agency", String(32), nullable=False),
    Column("recorded_by", String(40), nullable=False),
    Column("submission_id", String(40), nullable=True),
    Column("payload_sha256", String(64), nullable=False),
    Column("document", JSON, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)
Index("ix_border_events_ucr", border_events.c.ucr, border_events.c.occurred_at)
