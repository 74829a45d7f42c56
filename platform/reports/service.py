"""The figures as the APIs serve them, and who may read them.

Time-release and trade figures describe every trader's consignments at once, so they are for the people who
run the border: operators (the border administration running the platform), agencies' officers and the
agencies' systems. Traders, brokers and partner single windows are refused (403): what a report shows in
aggregate is still other traders' business.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.errors import AccessDenied
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.reports.backlog import backlogs
from singlewindow.platform.reports.channels import channel_counts
from singlewindow.platform.reports.milestones import consignment_milestones
from singlewindow.platform.reports.period import Period
from singlewindow.platform.reports.trade import TradeReport, trade_report
from singlewindow.platform.reports.trs import TimeReleaseReport, time_release_report
from singlewindow.platform.state.common import utcnow

REPORT_READERS = frozenset({Role.OPERATOR, Role.OFFICER, Role.AGENCY})


def require_report_reader(principal: Principal) -> None:
    if principal.role not in REPORT_READERS:
        raise AccessDenied(
            f"time-release and trade figures are for operators, officers and agencies; {principal.name} is a "
            f"{principal.role.value}"
        )


class ReportService:
    def __init__(self, engine: AsyncEngine, home_country: str) -> None:
        self._engine = engine
        self._home_country = home_country

    async def time_release(self, period: Period) -> TimeReleaseReport:
        async with self._engine.connect() as conn:
            consignments = await consignment_milestones(conn, period)
            channels = await channel_counts(conn, period)
            backlog = await backlogs(conn, utcnow())
        return time_release_report(period, consignments, channels, backlog)

    async def trade(self, period: Period) -> TradeReport:
        async with self._engine.connect() as conn:
            return await trade_report(conn, period, self._home_country)
