"""What waits now, per agency: consignments routed to it without a decision, held by it (inspection or
query), past its deadline, and the documents in its officer queue. A backlog is a snapshot, so it ignores
the report's period; each figure is one grouped ``COUNT``/``MIN`` in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from singlewindow.platform.aggregation import TERMINAL
from singlewindow.platform.officers.tables import officer_queue
from singlewindow.platform.reports.milestones import AGENCY_KIND
from singlewindow.platform.state.common import aware, rfc3339_millis
from singlewindow.platform.storage.tables import recipients, submission_versions, submissions

_WAITING_TRANSPORT = ("PENDING", "DELIVERED")
_HOLDING = ("INSPECTION_REQUIRED", "QUERY")


@dataclass(frozen=True, slots=True)
class Backlog:
    agency: str
    awaiting_decision: int = 0
    held: int = 0
    overdue: int = 0
    oldest_waiting_since: datetime | None = None
    officer_waiting: int = 0
    officer_claimed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "awaitingDecision": self.awaiting_decision,
            "held": self.held,
            "overdue": self.overdue,
            "oldestWaitingSince": rfc3339_millis(self.oldest_waiting_since) if self.oldest_waiting_since else None,
            "officerQueueWaiting": self.officer_waiting,
            "officerQueueClaimed": self.officer_claimed,
        }


def _count(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


async def backlogs(conn: AsyncConnection, now: datetime) -> list[Backlog]:
    awaiting = and_(recipients.c.decision_status.is_(None), recipients.c.transport.in_(_WAITING_TRANSPORT))
    open_versions = (
        select(
            recipients.c.recipient,
            _count(awaiting).label("awaiting"),
            _count(recipients.c.decision_status.in_(_HOLDING)).label("held"),
            _count(and_(recipients.c.decision_status.is_(None), recipients.c.transport == "OVERDUE")).label("overdue"),
            func.min(case((awaiting, recipients.c.updated_at))).label("oldest"),
        )
        .join(
            submissions,
            and_(submissions.c.id == recipients.c.submission_id, submissions.c.current_version == recipients.c.version),
        )
        .join(
            submission_versions,
            and_(
                submission_versions.c.submission_id == recipients.c.submission_id,
                submission_versions.c.version == recipients.c.version,
            ),
        )
        .where(
            recipients.c.kind == AGENCY_KIND,
            submission_versions.c.cancelled.is_(False),
            submission_versions.c.status.not_in(sorted(s.value for s in TERMINAL)),
        )
        .group_by(recipients.c.recipient)
    )
    found = {
        row.recipient: Backlog(
            row.recipient, int(row.awaiting), int(row.held), int(row.overdue), aware(row.oldest) if row.oldest else None
        )
        for row in await conn.execute(open_versions)
    }
    claimed = and_(officer_queue.c.claimed_by.is_not(None), officer_queue.c.claim_expires_at > now)
    queues = (
        select(officer_queue.c.agency, func.count().label("open"), _count(claimed).label("claimed"))
        .where(officer_queue.c.decided_at.is_(None), officer_queue.c.withdrawn_at.is_(None))
        .group_by(officer_queue.c.agency)
    )
    for row in await conn.execute(queues):
        base = found.get(row.agency, Backlog(row.agency))
        found[row.agency] = replace(
            base, officer_waiting=int(row.open) - int(row.claimed), officer_claimed=int(row.claimed)
        )
    return [found[agency] for agency in sorted(found)]
