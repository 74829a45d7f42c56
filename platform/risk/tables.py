"""Tables of the hub's risk service (migration 0010): agencies' trusted keys, their signed profiles, the
per-agency assessment of each routed submission version, and traders' AEO authorisations."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, Index, Integer, String, Table, Text

from singlewindow.platform.storage.tables import metadata

risk_keys = Table(
    "risk_keys",
    metadata,
    Column("key_id", String(16), primary_key=True),  # one key belongs to one agency only
    Column("agency", String(32), nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
)
Index("ix_risk_keys_agency", risk_keys.c.agency)

risk_profiles = Table(
    "risk_profiles",
    metadata,
    Column("agency", String(32), primary_key=True),
    Column("profile_id", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("document", JSON, nullable=False),  # exactly what the agency signed
    Column("signature", String(100), nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("valid_from", DateTime(timezone=True), nullable=False),
    Column("valid_to", DateTime(timezone=True), nullable=True),
    Column("published_by", String(40), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
)

risk_assessments = Table(
    "risk_assessments",
    metadata,
    Column("submission_id", String(40), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("agency", String(32), primary_key=True),
    Column("score", Integer, nullable=False),
    Column("level", String(24), nullable=False),
    Column("hits", JSON, nullable=False),  # confidential to the agency: never shown to another
    Column("profiles", JSON, nullable=False),
    Column("history", JSON, nullable=False),
    Column("aeo", Boolean, nullable=False),
    Column("trader_id", String(40), nullable=False),
    Column("assessed_at", DateTime(timezone=True), nullable=False),
)

aeo_authorisations = Table(
    "aeo_authorisations",
    metadata,
    Column("trader_id", String(40), primary_key=True),
    Column("number", String(64), primary_key=True),
    Column("valid_to", DateTime(timezone=True), nullable=False),
    Column("note", Text, nullable=True),
    Column("added_at", DateTime(timezone=True), nullable=False),
)
