"""The permits register's tables, on the hub's one MetaData so migrations see them with everything else.

Quantities are stored as integer thousandths of their unit (3 decimals, as the document schemas fix):
exact on every backend, and no float or SQLite-decimal surprises in the remaining balance.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from singlewindow.platform.storage.tables import metadata

permits = Table(
    "permits",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("number", String(70), nullable=False, unique=True),
    Column("kind", String(32), nullable=False),
    Column("issuing_agency", String(32), nullable=False),
    Column("holder_id", String(64), nullable=False),
    Column("hs_codes", JSON, nullable=False),
    Column("description", Text, nullable=False),
    Column("unit", String(3), nullable=False),
    Column("quantity_milli", BigInteger, nullable=False),
    Column("remaining_milli", BigInteger, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("issued_by", String(40), nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("remaining_milli >= 0", name="ck_permits_remaining_not_negative"),
    CheckConstraint("remaining_milli <= quantity_milli", name="ck_permits_remaining_within_quantity"),
)
Index("ix_permits_holder", permits.c.holder_id)

permit_write_offs = Table(
    "permit_write_offs",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("permit_id", String(40), ForeignKey("permits.id"), nullable=False),
    Column("submission_id", String(64), nullable=False),
    Column("submission_version", Integer, nullable=False),
    Column("goods_item", Integer, nullable=False),
    Column("quantity_milli", BigInteger, nullable=False),
    Column("written_off_by", String(64), nullable=False),
    Column("written_off_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("quantity_milli > 0", name="ck_permit_write_offs_positive"),
    UniqueConstraint("permit_id", "submission_id", "submission_version", "goods_item", name="uq_permit_write_offs_key"),
)

# A reversal gives one write-off's quantity back (its declaration was cancelled or replaced). Its own row:
# the write-off stays in the ledger, and the unique write_off_id makes a second reversal impossible.
permit_reversals = Table(
    "permit_reversals",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("write_off_id", BigInteger, ForeignKey("permit_write_offs.id"), nullable=False, unique=True),
    Column("reason", String(200), nullable=False),
    Column("reversed_by", String(64), nullable=False),
    Column("reversed_at", DateTime(timezone=True), nullable=False),
)
