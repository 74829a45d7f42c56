"""Every table of the hub's database, in one MetaData so migrations see them all."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

principals = Table(
    "principals",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    Column("agency", String(32), nullable=True),
    Column("description", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

tokens = Table(
    "principal_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("principal_id", String(40), ForeignKey("principals.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)
Index("ix_principal_tokens_principal", tokens.c.principal_id)

grants = Table(
    "grants",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("broker_id", String(40), ForeignKey("principals.id"), nullable=False),
    Column("trader_id", String(40), ForeignKey("principals.id"), nullable=False),
    Column("scope", String(20), nullable=False),
    Column("valid_from", DateTime(timezone=True), nullable=False),
    Column("valid_until", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)
Index("ix_grants_broker_trader", grants.c.broker_id, grants.c.trader_id)

# --- submissions -------------------------------------------------------------------------------------------

submissions = Table(
    "submissions",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("declarant_id", String(40), ForeignKey("principals.id"), nullable=False),
    Column("trader_reference", String(64), nullable=False),
    Column("document_type", String(64), nullable=False),
    Column("ucr", String(35), nullable=False),
    Column("current_version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # The head of the submission's event chain (platform.state.chain): last entry_hash and number of links.
    Column("chain_head", String(64), nullable=True),
    Column("chain_length", Integer, nullable=False, server_default="0"),
    UniqueConstraint("declarant_id", "trader_reference", name="uq_submissions_declarant_reference"),
)
Index("ix_submissions_ucr", submissions.c.ucr)

submission_versions = Table(
    "submission_versions",
    metadata,
    Column("submission_id", String(40), ForeignKey("submissions.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("document", JSON, nullable=False),
    Column("payload_sha256", String(64), nullable=False),
    Column("status", String(20), nullable=False),
    Column("status_sequence", Integer, nullable=False),
    Column("routed", Boolean, nullable=False),
    Column("cancelled", Boolean, nullable=False),
    Column("created_by", String(40), ForeignKey("principals.id"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

recipients = Table(
    "recipients",
    metadata,
    Column("submission_id", String(40), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("recipient", String(32), primary_key=True),
    Column("kind", String(10), nullable=False),
    Column("view", String(64), nullable=False),
    Column("matched_rules", JSON, nullable=False),
    Column("transport", String(20), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("decision_status", String(32), nullable=True),
    Column("decision_sequence", Integer, nullable=True),
    Column("decision", JSON, nullable=True),
    Column("deadline_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    ForeignKeyConstraint(
        ["submission_id", "version"], ["submission_versions.submission_id", "submission_versions.version"]
    ),
)
Index("ix_recipients_deadline", recipients.c.deadline_at)

terminal_statuses = Table(
    "terminal_statuses",
    metadata,
    Column("submission_id", String(40), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("status", String(20), nullable=False),
    Column("message_id", String(80), nullable=False, unique=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

document_links = Table(
    "document_links",
    metadata,
    Column("submission_id", String(40), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("reference_type", String(32), primary_key=True),
    Column("reference_id", String(64), primary_key=True),
    Column("ucr", String(35), nullable=False),
)
Index("ix_document_links_reference", document_links.c.reference_type, document_links.c.reference_id)
Index("ix_document_links_ucr", document_links.c.ucr)

events = Table(
    "events",
    metadata,
    Column("sequence", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("submission_id", String(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("actor", String(64), nullable=True),
    Column("recipient", String(32), nullable=True),
    Column("status", String(32), nullable=True),
    Column("detail", JSON, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    # The link (platform.state.chain); NULL on events written before migration 0009 (before the chain).
    Column("chain_index", Integer, nullable=True),
    Column("entry_hash", String(64), nullable=True),
)
Index("ix_events_submission", events.c.submission_id, events.c.sequence)

outbox = Table(
    "outbox",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("message_id", String(80), nullable=False, unique=True),
    Column("exchange", String(128), nullable=False),
    Column("routing_key", String(128), nullable=False),
    Column("type", String(64), nullable=False),
    Column("correlation_id", String(40), nullable=True),
    Column("content_type", String(64), nullable=False),
    Column("headers", JSON, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=True),
)
Index("ix_outbox_unpublished", outbox.c.published_at, outbox.c.id)

processed_messages = Table(
    "processed_messages",
    metadata,
    Column("consumer", String(32), primary_key=True),
    Column("message_id", String(80), primary_key=True),
    Column("processed_at", DateTime(timezone=True), nullable=False),
)
