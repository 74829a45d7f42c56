"""The trader's record from the hub's own tables, and partner countries' control results for a consignment.

The trader is the submission's declarant: the principal the hub authenticated (``submissions.declarant_id``),
the one identifier every submission carries and nobody can write into a document. Counted over a window,
earlier submissions only: submissions, REJECTED and INSPECTION_REQUIRED decisions (each DECISION event, so
an inspection later revised to an acceptance still counts), and joint-inspection findings an agency marked
not compliant.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Integer, and_, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from singlewindow.platform.identity import Role
from singlewindow.platform.officers.joint_tables import joint_inspection_parties, joint_inspections
from singlewindow.platform.risk.evaluate import TraderHistory
from singlewindow.platform.storage.tables import events, principals, submission_versions, submissions

NOT_SATISFACTORY = "NOT_SATISFACTORY"


def _counts(column: ColumnElement[datetime], windows: dict[int, datetime]) -> list[ColumnElement[int]]:
    """One count per window: the rows at or after the window's start."""
    return [
        cast(func.coalesce(func.sum(case((column >= since, 1), else_=0)), 0), Integer) for since in windows.values()
    ]


async def trader_history(
    conn: AsyncConnection, trader_id: str, submission_id: str, days: Iterable[int], now: datetime
) -> dict[int, TraderHistory]:
    """Window in days -> the trader's counts before this submission."""
    windows = {d: now - timedelta(days=d) for d in sorted(set(days))}
    if not windows:
        return {}
    mine = and_(submissions.c.declarant_id == trader_id, submissions.c.id != submission_id)
    sent = (await conn.execute(select(*_counts(submissions.c.created_at, windows)).where(mine))).one()
    decided = await conn.execute(
        select(events.c.status, *_counts(events.c.at, windows))
        .join(submissions, submissions.c.id == events.c.submission_id)
        .where(mine, events.c.kind == "DECISION", events.c.status.in_(["REJECTED", "INSPECTION_REQUIRED"]))
        .group_by(events.c.status)
    )
    by_status = {row[0]: row[1:] for row in decided}
    found = (
        await conn.execute(
            select(*_counts(joint_inspection_parties.c.attendance_at, windows))
            .join(joint_inspections, joint_inspections.c.id == joint_inspection_parties.c.inspection_id)
            .join(submissions, submissions.c.id == joint_inspections.c.submission_id)
            .where(mine, joint_inspection_parties.c.compliant.is_(False))
        )
    ).one()
    zero = (0,) * len(windows)
    rejected, inspected = by_status.get("REJECTED", zero), by_status.get("INSPECTION_REQUIRED", zero)
    return {
        d: TraderHistory(d, int(sent[i]), int(rejected[i]), int(inspected[i]), int(found[i]))
        for i, d in enumerate(windows)
    }


async def partner_findings(conn: AsyncConnection, ucr: str) -> frozenset[str]:
    """The controlling agencies of partner countries' NOT_SATISFACTORY control results for ``ucr``: control
    results a partner's gateway (a PARTNER principal) submitted to this hub, at their current version."""
    query = (
        select(submission_versions.c.document)
        .select_from(submissions)
        .join(
            submission_versions,
            and_(
                submission_versions.c.submission_id == submissions.c.id,
                submission_versions.c.version == submissions.c.current_version,
            ),
        )
        .join(principals, principals.c.id == submissions.c.declarant_id)
        .where(
            submissions.c.ucr == ucr,
            submissions.c.document_type == "control-result",
            principals.c.role == Role.PARTNER.value,
        )
    )
    agencies = set()
    for (document,) in await conn.execute(query):
        if isinstance(document, dict) and document.get("result") == NOT_SATISFACTORY:
            agencies.add(str(document.get("controllingAgency", "")))
    return frozenset(agencies)
