"""Time-release (WCO TRS) and trade figures from the hub's own records, for the CLI, the API and the dashboard."""

from singlewindow.platform.reports.csv_export import time_release_csv, trade_csv
from singlewindow.platform.reports.durations import Durations
from singlewindow.platform.reports.period import Period, parse_period
from singlewindow.platform.reports.service import REPORT_READERS, ReportService, require_report_reader
from singlewindow.platform.reports.trade import TradeReport
from singlewindow.platform.reports.trs import TimeReleaseReport

__all__ = [
    "REPORT_READERS",
    "Durations",
    "Period",
    "ReportService",
    "TimeReleaseReport",
    "TradeReport",
    "parse_period",
    "require_report_reader",
    "time_release_csv",
    "trade_csv",
]
