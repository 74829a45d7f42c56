"""The registry's tables (SQLAlchemy Core), identical on SQLite and PostgreSQL.

Uniqueness does the concurrency work: one row per schema fingerprint (so two processes registering the
same schema get one id), one live row per (subject, schema) and one row per (subject, version) (so two
registrations of one schema under one subject get one version). Schema rows are never deleted, so an id is
never given to different content; ``registry_subjects.last_version`` is a high-water mark, so a version
number is never handed out twice, not even after a permanent delete.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    false,
)

metadata = MetaData()

schemas = Table(
    "registry_schemas",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("schema_type", String(16), nullable=False),
    Column("fingerprint", String(64), nullable=False, unique=True),
    Column("schema_text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    sqlite_autoincrement=True,  # SQLite would otherwise reuse the highest rowid
)

subjects = Table(
    "registry_subjects",
    metadata,
    Column("subject", Text, primary_key=True),
    Column("last_version", Integer, nullable=False),
)

versions = Table(
    "registry_versions",
    metadata,
    Column("subject", Text, ForeignKey("registry_subjects.subject"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("schema_id", Integer, ForeignKey("registry_schemas.id"), nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

Index(
    "uq_registry_live_subject_schema",
    versions.c.subject,
    versions.c.schema_id,
    unique=True,
    sqlite_where=versions.c.deleted == false(),
    postgresql_where=versions.c.deleted == false(),
)
Index("ix_registry_versions_schema_id", versions.c.schema_id)

# scope "" is the global configuration; any other scope is a subject name.
settings = Table(
    "registry_settings",
    metadata,
    Column("scope", Text, primary_key=True),
    Column("compatibility", String(32), nullable=True),
    Column("mode", String(16), nullable=True),
)

migrations = Table(
    "registry_migrations",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("description", Text, nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

GLOBAL_SCOPE = ""
