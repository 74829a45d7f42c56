"""Tables of the joint (one-stop) inspections: one proposed slot per consignment version and, per agency
asked to attend, its answer, its attendance and its own findings (migration 0008; the compliant flag: 0010)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Table

from singlewindow.platform.storage.tables import metadata

_ID = BigInteger().with_variant(Integer, "sqlite")

joint_inspections = Table(
    "joint_inspections",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("submission_id", String(40), nullable=False),
    Column("version", Integer, nullable=False),
    Column("ucr", String(35), nullable=False),
    Column("slot_at", DateTime(timezone=True), nullable=False),
    Column("place", String(200), nullable=False),
    Column("status", String(16), nullable=False),  # PROPOSED, SCHEDULED, DECLINED, COMPLETED
    Column("proposing_agency", String(32), nullable=False),
    Column("proposed_by", String(40), nullable=False),
    Column("proposed_at", DateTime(timezone=True), nullable=False),
)
Index("ix_joint_inspections_version", joint_inspections.c.submission_id, joint_inspections.c.version)

joint_inspection_parties = Table(
    "joint_inspection_parties",
    metadata,
    Column("inspection_id", BigInteger, ForeignKey("joint_inspections.id"), primary_key=True),
    Column("agency", String(32), primary_key=True),
    Column("response", String(10), nullable=False),  # PENDING, ACCEPTED, DECLINED
    Column("responded_by", String(40), nullable=True),
    Column("responded_at", DateTime(timezone=True), nullable=True),
    Column("decline_reason", String(500), nullable=True),
    Column("attended", Boolean, nullable=True),
    Column("findings", String(4000), nullable=True),  # the agency's own: never shown to another agency
    Column("compliant", Boolean, nullable=True),  # the agency's verdict on its findings (0010); False counts in risk
    Column("attendance_by", String(40), nullable=True),
    Column("attendance_at", DateTime(timezone=True), nullable=True),
)
Index("ix_joint_inspection_parties_agency", joint_inspection_parties.c.agency, joint_inspection_parties.c.response)
