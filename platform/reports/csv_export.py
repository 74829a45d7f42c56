"""The figures as CSV, one flat table per report, for a spreadsheet: the same text from ``nsw report
--csv``, the API's ``?format=csv`` and the dashboard's export link.

Time release, long format: ``section,key,measure,count,median_seconds,p90_seconds`` (sections: overall,
agency, crossing_point, day; channel and backlog rows use ``count`` alone). Trade: one row per breakdown,
key, direction and currency.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from singlewindow.platform.reports.durations import Durations
from singlewindow.platform.reports.trade import TradeReport
from singlewindow.platform.reports.trs import Group, TimeReleaseReport

TRS_HEADER = ("section", "key", "measure", "count", "median_seconds", "p90_seconds")
TRADE_HEADER = ("breakdown", "key", "direction", "declarations", "goods_items", "net_mass_kg", "currency", "value")
_BACKLOG_MEASURES = ("awaitingDecision", "held", "overdue", "officerQueueWaiting", "officerQueueClaimed")


def _text(rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if cell is None else _safe(cell) for cell in row])
    return out.getvalue()


def _safe(cell: Any) -> Any:
    """Codes and keys come from traders' documents: a cell a spreadsheet would run as a formula is quoted."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def _durations(section: str, key: str, measure: str, d: Durations) -> tuple[Any, ...]:
    return (section, key, measure, d.count, d.median_seconds, d.p90_seconds)


def _groups(section: str, groups: Sequence[Group]) -> list[tuple[Any, ...]]:
    return [_durations(section, g.key, name, d) for g in groups for name, d in g.segments.items()]


def time_release_csv(report: TimeReleaseReport) -> str:
    rows: list[Sequence[Any]] = [TRS_HEADER]
    rows += [_durations("overall", "", name, d) for name, d in report.segments.items()]
    rows += _groups("agency", report.by_agency)
    rows += _groups("crossing_point", report.by_crossing_point)
    rows += _groups("day", report.by_day)
    rows += [("channel", name, "consignments", count, None, None) for name, count in report.channels.items()]
    rows += [
        ("backlog", b.agency, measure, b.as_dict()[measure], None, None)
        for b in report.backlog
        for measure in _BACKLOG_MEASURES
    ]
    return _text(rows)


def trade_csv(report: TradeReport) -> str:
    rows: list[Sequence[Any]] = [TRADE_HEADER]
    for name, breakdown in report.breakdowns.items():
        for row in breakdown:
            data = row.as_dict()
            values = sorted(data["statisticalValue"].items()) or [(None, None)]
            rows += [
                (name, row.key, row.direction, data["declarations"], row.goods_items, data["netMassKg"], c, v)
                for c, v in values
            ]
    return _text(rows)
