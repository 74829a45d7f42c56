"""The gateway's own store (SQLAlchemy Core): what it sealed and sent, what it received, what it set aside.

Kept apart from the hub's database like every adapter's store. Rows carry the partner key, so one database
serves the gateways of several partners. ``migrate`` creates what is missing and records the step reached.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.adapters.sdk.tables import apply_steps

metadata = MetaData()

schema_version = Table("gateway_schema_version", metadata, Column("version", Integer, primary_key=True))

sequences = Table(
    "gateway_sequences",
    metadata,
    Column("partner", String(8), primary_key=True),
    Column("last_sequence", Integer, nullable=False),
)
"""The last partnerSequence given out on our link to each partner; the next envelope takes the one after,
in the transaction that stores it, so sequences have no gaps and survive restarts."""

outbound = Table(
    "gateway_outbound",
    metadata,
    Column("envelope_id", String(36), primary_key=True),
    Column("partner", String(8), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("source_key", String(255), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("submission_id", String(64), nullable=True),
    Column("version", Integer, nullable=True),
    Column("document_type", String(64), nullable=False),
    Column("document_id", String(64), nullable=False, index=True),
    Column("ucr", String(35), nullable=False),
    Column("envelope", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("receipt_outcome", String(16), nullable=True),
    Column("receipt_reason", Text, nullable=True),
    Column("receipted_at", DateTime(timezone=True), nullable=True),
    Column("receipts", Integer, nullable=False, default=0),
    Column("last_sent_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("partner", "sequence", name="uq_gateway_outbound_sequence"),
    UniqueConstraint("partner", "source_key", name="uq_gateway_outbound_source"),
)
"""Every envelope sealed for a partner. ``source_key`` is what made it (the inbox message's hand-over key,
or a business answer's document id): sealing the same source again returns this row, never a new
envelope. ``kind`` is ``document`` (a routed submission) or ``answer`` (our decision on theirs).
``last_sent_at`` is when the resend sweep last sent it again (None: sent once, when sealed)."""

inbound = Table(
    "gateway_inbound",
    metadata,
    Column("partner", String(8), primary_key=True),
    Column("envelope_id", String(36), primary_key=True),
    Column("envelope_sha256", String(64), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("document_type", String(64), nullable=False),
    Column("document_id", String(64), nullable=False, index=True),
    Column("ucr", String(35), nullable=False),
    Column("state", String(16), nullable=False, index=True),
    Column("reason_code", String(32), nullable=True),
    Column("reason_text", Text, nullable=True),
    Column("envelope", Text, nullable=False),
    Column("receipt", Text, nullable=True),
    Column("submission_id", String(64), nullable=True),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("redeliveries", Integer, nullable=False, default=0),
    Column("answered_status", String(16), nullable=True),
    Column("answers", Integer, nullable=False, default=0),
)
"""Every verified envelope from a partner, keyed by its id: ``WAITING`` (for a document it refers to),
``APPLIED`` (submitted into our intake, or a business answer applied), ``REJECTED`` (verified but refused:
profile, schema, payload). ``receipt`` is the signed receipt we sent, sent again on a redelivery."""

quarantine = Table(
    "gateway_quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("partner", String(8), nullable=False, index=True),
    Column("envelope_id", String(64), nullable=True),
    Column("raw_sha256", String(64), nullable=False),
    Column("message_type", String(64), nullable=True),
    Column("reason_code", String(32), nullable=False),
    Column("reason_text", Text, nullable=False),
    Column("raw", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("released_at", DateTime(timezone=True), nullable=True),
    Column("released_by", String(128), nullable=True),
    Column("release_note", Text, nullable=True),
    Column("reprocessed_at", DateTime(timezone=True), nullable=True),
    Column("reprocess_result", Text, nullable=True),
    UniqueConstraint("partner", "raw_sha256", name="uq_gateway_quarantine_raw"),
)
"""What failed verification (bad signature, unknown or expired key, stale, reused envelope id, garbage):
never submitted; an operator lists, shows and releases it. The same bytes again add no second row. A
released entry is taken again by the running gateway's sweep (verified again, with the profile as it is
then: a partner key imported since, for example), which records what became of it."""


def _add_last_sent_at(conn: Connection) -> None:
    """Step 2: when an unreceipted envelope was last sent again, so the sweep waits ``resend_after`` between
    two resends instead of sending the whole backlog again on every round (a store made by step 1 already
    has the column when it was created by this version's ``create_all``)."""
    if "last_sent_at" in {column["name"] for column in inspect(conn).get_columns("gateway_outbound")}:
        return
    kind = DateTime(timezone=True).compile(dialect=conn.dialect)
    conn.execute(text(f"ALTER TABLE gateway_outbound ADD COLUMN last_sent_at {kind}"))


STEPS: list[Callable[[Connection], None]] = [
    lambda conn: metadata.create_all(conn, tables=[sequences, outbound, inbound, quarantine]),
    _add_last_sent_at,
]


def _migrate(conn: Connection) -> int:
    return apply_steps(conn, schema_version, STEPS)


async def migrate(engine: AsyncEngine) -> int:
    """Bring the store to the current step; safe on every start."""
    async with engine.begin() as conn:
        return await conn.run_sync(_migrate)
