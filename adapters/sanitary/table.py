"""The shared table between the hub's adapter and the sanitary service's legacy system.

The adapter inserts one row per document (unique on the hub's message id) and reads the decision columns
the legacy system fills (``status``, ``reason``, ``conditions``, ``officer``, ``decided_at``). The legacy
system owns the table and creates it; ``adapter_read_at`` and ``adapter_retries`` are the adapter's own
columns: a decision written again later (``decided_at`` after ``adapter_read_at``) is read again.
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
    # The adapter's own book-keeping:
    Column("adapter_read_at", DateTime(timezone=True), nullable=True),
    Column("adapter_retries", Integer, nullable=False, default=0),
)
