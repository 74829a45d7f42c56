"""The invoice side's tables, on the hub's one MetaData: invoices, their lines, initiations, notices read.

Amounts are stored as decimal strings (exact on SQLite and PostgreSQL alike) and summed as ``Decimal``. A
line's key is (submission, version, agency, fee code, currency): pricing the same version twice (a
redelivered routing, a repeated inspection decision) writes nothing new. A notice's key is the provider's
own (provider, entry reference): reading a notification twice settles nothing twice.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text

from singlewindow.platform.storage.tables import metadata

# Line statuses. DUE: to pay; PAID: covered by what was received; VOID: cancelled before it was paid;
# SUPERSEDED: an amendment re-priced the submission and the new version's line replaces it.
DUE, PAID, VOID, SUPERSEDED = "DUE", "PAID", "VOID", "SUPERSEDED"

invoices = Table(
    "invoices",
    metadata,
    Column("submission_id", String(40), ForeignKey("submissions.id"), primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("reference", String(25), nullable=False, unique=True),  # ISO 11649 RF creditor reference
    Column("version", Integer, nullable=False),  # the submission version the invoice is priced for
    Column("priced_at", DateTime(timezone=True), nullable=False),  # the time the schedules were chosen by
    Column("cancelled", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

invoice_lines = Table(
    "invoice_lines",
    metadata,
    Column("submission_id", String(40), ForeignKey("invoices.submission_id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("agency", String(32), primary_key=True),
    Column("fee_code", String(20), primary_key=True),
    Column("currency", String(3), primary_key=True),
    Column("description", String(200), nullable=False),
    Column("basis", Text, nullable=False),
    Column("amount", String(24), nullable=False),
    Column("schedule_id", String(64), nullable=False),
    Column("trigger", String(16), nullable=False),
    Column("status", String(12), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("settled_at", DateTime(timezone=True), nullable=True),
)
Index("ix_invoice_lines_status", invoice_lines.c.submission_id, invoice_lines.c.version, invoice_lines.c.status)

payment_initiations = Table(
    "payment_initiations",
    metadata,
    Column("provider", String(40), primary_key=True),
    Column("message_id", String(64), primary_key=True),
    Column("submission_id", String(40), ForeignKey("invoices.submission_id"), nullable=False),
    Column("principal_id", String(40), nullable=False),
    Column("amount", String(24), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

payment_notices = Table(
    "payment_notices",
    metadata,
    Column("provider", String(40), primary_key=True),
    Column("entry_reference", String(100), primary_key=True),
    Column("reference", String(64), nullable=True),
    Column("amount", String(24), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("booked_at", DateTime(timezone=True), nullable=False),
    Column("debtor_name", String(140), nullable=True),
    Column("submission_id", String(40), nullable=True),  # the invoice it matched, if any
    Column("applied", String(24), nullable=False),  # the part counted towards the invoice ("0.00" if none)
    Column("outcome", String(24), nullable=False),  # APPLIED or the exception (see reconcile.py)
    Column("detail", Text, nullable=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
Index("ix_payment_notices_submission", payment_notices.c.submission_id)
Index("ix_payment_notices_outcome", payment_notices.c.outcome)
