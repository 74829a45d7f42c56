"""The share of consignments in each control channel, counted by the database.

A consignment's channel is the strictest any agency gave it: ``RED`` (physical inspection: a decision with
channel RED, or an inspection required without a channel, which agencies other than customs do in person),
``YELLOW`` (a document check), ``GREEN`` (released with no inspection). Consignments with no decision yet
are in no channel. The strictest is a ``MAX`` per consignment, the shares a ``COUNT`` per channel on top.
"""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from singlewindow.platform.reports.milestones import RELEASING, applied_decisions, in_period
from singlewindow.platform.reports.period import Period
from singlewindow.platform.storage.tables import events, submissions

CHANNELS = ("GREEN", "YELLOW", "RED")  # index + 1 is the severity the query ranks by


async def channel_counts(conn: AsyncConnection, period: Period) -> dict[str, int]:
    channel = events.c.detail[("decision", "channel")].as_string()
    severity = case(
        (channel == "RED", 3),
        (channel == "YELLOW", 2),
        (events.c.status == "INSPECTION_REQUIRED", 3),
        (events.c.status.in_(RELEASING), 1),
        else_=0,
    )
    strictest = in_period(
        select(events.c.submission_id, func.max(severity).label("severity"))
        .join(submissions, submissions.c.id == events.c.submission_id)
        .where(applied_decisions())
        .group_by(events.c.submission_id),
        period,
    ).subquery()
    query = select(strictest.c.severity, func.count()).where(strictest.c.severity > 0).group_by(strictest.c.severity)
    counted = {int(severity): int(count) for severity, count in await conn.execute(query)}
    return {name: counted.get(rank, 0) for rank, name in enumerate(CHANNELS, start=1)}
