"""The shared table between the hub's adapter and the sanitary service's legacy system.

The adapter inserts one row per document (unique on the hub's message id) and reads the decision columns
the legacy system fills (``status``, ``reason``, ``conditions``, ``officer``, ``decided_at``). The legacy
system owns the table and creates it; ``adapter_read_at`` and ``adapter_retries`` are the adapter's own
columns: a decision written again later (``decided_at`` after ``adapter_read_at``) is read again.

Issue 12 adds the lifecycle columns: ``withdrawn_at``/``withdrawn_reason`` (the adapter withdraws a
cancelled or superseded row; the legacy system skips it and its decision is not applied), ``replaces``
(the row of the version a new one replaces, withdrawn in the same transaction), the legacy system's query
(status ``QUERY``, the question in ``reason``, the fields concerned one per line in ``query_fields``) and
the trader's answer the adapter writes back (``answer``, ``answered_at``), after which the system decides.
An existing legacy table needs these columns added (``ALTER TABLE ... ADD COLUMN``, all nullable).
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text

metadata = MetaData()

requests = Table(
    "sanitary_requests",
    metadata,
    Column("request_no", Integer, primary_key=True, autoincrement=True),
    Column("message_id", String(120), nullable=False, unique=True),
    Column("submission_id", String(64), nullable=False),
    Column("submission_version", Integer, nullable=False),
    Column("ucr", String(35), nullable=False),
    Column("document", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    # Filled by the legacy system:
    Column("status", String(40), nullable=True),
    Column("reason", Text, nullable=True),
    Column("conditions", Text, nullable=True),
    Column("officer", String(35), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("legacy_answers", Integer, nullable=False, default=0),
    Column("query_fields", Text, nullable=True),
    # Written by the adapter for the hub's lifecycle notices:
    Column("withdrawn_at", DateTime(timezone=True), nullable=True),
    Column("withdrawn_reason", Text, nullable=True),
    Column("replaces", Integer, nullable=True),
    Column("answer", Text, nullable=True),
    Column("answered_at", DateTime(timezone=True), nullable=True),
    # The adapter's own book-keeping:
    Column("adapter_read_at", DateTime(timezone=True), nullable=True),
    Column("adapter_retries", Integer, nullable=False, default=0),
)
