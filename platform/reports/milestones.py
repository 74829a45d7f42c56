"""The time-release milestones of each consignment, read from the hub's own records with SQL aggregates.

The WCO Time Release Study measures a consignment from its arrival at the border to its release and on to
its exit. The hub has every milestone already: lodgement is when the submission was stored, each agency's
release is its first accepting ``DECISION`` event, release is the version's terminal ``CLEARED`` status,
and arrival and exit are the border-guard's border events, linked by the consignment's UCR (the earliest
of each kind; the crossing point is the arrival's). Each milestone is one ``MIN`` per group, so the
database does the scanning and the hub gets one row per consignment (and per agency release).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from singlewindow.platform.aggregation import Consolidated
from singlewindow.platform.officers.tables import border_events
from singlewindow.platform.reports.period import Period
from singlewindow.platform.state.common import aware
from singlewindow.platform.storage.tables import events, recipients, submissions, terminal_statuses

RELEASING = ("ACCEPTED", "ACCEPTED_WITH_CONDITIONS")
AGENCY_KIND = "AGENCY"


@dataclass(frozen=True, slots=True)
class Milestones:
    submission_id: str
    ucr: str
    lodged_at: datetime
    arrived_at: datetime | None
    crossing_point: str | None
    released_at: datetime | None
    exited_at: datetime | None
    agency_releases: Mapping[str, datetime] = field(default_factory=dict)


def in_period(query: Select[Any], period: Period) -> Select[Any]:
    """Keep the consignments lodged in ``period`` (the query must select from ``submissions``)."""
    if period.since is not None:
        query = query.where(submissions.c.created_at >= period.since)
    if period.before is not None:
        query = query.where(submissions.c.created_at < period.before)
    return query


def applied_decisions() -> Any:
    """DECISION events the hub applied: not on a cancelled or superseded version (``detail.not_applied``)."""
    return and_(events.c.kind == "DECISION", events.c.detail["not_applied"].as_string().is_(None))


def _first_border_event(kind: str) -> Any:
    return (
        select(border_events.c.ucr, func.min(border_events.c.occurred_at).label("at"))
        .where(border_events.c.event_type == kind)
        .group_by(border_events.c.ucr)
        .subquery()
    )


async def consignment_milestones(conn: AsyncConnection, period: Period) -> list[Milestones]:
    arrivals, exits = _first_border_event("ARRIVAL"), _first_border_event("EXIT")
    released = (
        select(terminal_statuses.c.submission_id, func.min(terminal_statuses.c.recorded_at).label("at"))
        .where(terminal_statuses.c.status == Consolidated.CLEARED.value)
        .group_by(terminal_statuses.c.submission_id)
        .subquery()
    )
    crossing = (
        select(border_events.c.border_crossing_point)
        .where(border_events.c.ucr == submissions.c.ucr, border_events.c.event_type == "ARRIVAL")
        .order_by(border_events.c.occurred_at, border_events.c.document_id)
        .limit(1)
        .scalar_subquery()
    )
    query = in_period(
        select(
            submissions.c.id,
            submissions.c.ucr,
            submissions.c.created_at,
            arrivals.c.at.label("arrived_at"),
            crossing.label("crossing_point"),
            released.c.at.label("released_at"),
            exits.c.at.label("exited_at"),
        )
        .outerjoin(arrivals, arrivals.c.ucr == submissions.c.ucr)
        .outerjoin(exits, exits.c.ucr == submissions.c.ucr)
        .outerjoin(released, released.c.submission_id == submissions.c.id)
        .order_by(submissions.c.created_at, submissions.c.id),
        period,
    )
    releases = await _agency_releases(conn, period)
    return [
        Milestones(
            row.id,
            row.ucr,
            aware(row.created_at),
            _aware(row.arrived_at),
            row.crossing_point,
            _aware(row.released_at),
            _aware(row.exited_at),
            releases.get(row.id, {}),
        )
        for row in await conn.execute(query)
    ]


async def _agency_releases(conn: AsyncConnection, period: Period) -> dict[str, dict[str, datetime]]:
    """submission id -> agency -> the first accepting decision of that agency (partners are not agencies)."""
    query = in_period(
        select(events.c.submission_id, events.c.recipient, func.min(events.c.at).label("at"))
        .join(submissions, submissions.c.id == events.c.submission_id)
        .join(
            recipients,
            and_(
                recipients.c.submission_id == events.c.submission_id,
                recipients.c.version == events.c.version,
                recipients.c.recipient == events.c.recipient,
            ),
        )
        .where(applied_decisions(), events.c.status.in_(RELEASING), recipients.c.kind == AGENCY_KIND)
        .group_by(events.c.submission_id, events.c.recipient),
        period,
    )
    found: dict[str, dict[str, datetime]] = {}
    for row in await conn.execute(query):
        found.setdefault(row.submission_id, {})[row.recipient] = aware(row.at)
    return found


def _aware(value: datetime | None) -> datetime | None:
    return aware(value) if value is not None else None
