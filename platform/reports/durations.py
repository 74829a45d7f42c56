"""Median and 90th percentile of a set of intervals, the two figures a time-release study reports.

Percentiles interpolate linearly between ranks, as PostgreSQL's ``percentile_cont`` and a spreadsheet's
``PERCENTILE.INC`` do, so an analyst checking a figure by hand gets the same number. SQLite has no
percentile aggregate, so the hub computes them here over the per-consignment intervals the SQL aggregates
produce: one implementation on both databases.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Durations:
    count: int
    median_seconds: float | None
    p90_seconds: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "medianSeconds": self.median_seconds, "p90Seconds": self.p90_seconds}


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """The ``fraction`` (0..1) percentile of non-empty, ascending ``ordered``."""
    rank = fraction * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (rank - low), 3)


def summarise(seconds: Iterable[float]) -> Durations:
    ordered = sorted(seconds)
    if not ordered:
        return Durations(0, None, None)
    return Durations(len(ordered), percentile(ordered, 0.5), percentile(ordered, 0.9))


def span(start: datetime | None, end: datetime | None) -> float | None:
    """Seconds from ``start`` to ``end`` when both happened; an end before its start (released or lodged
    before the truck arrived) counts as 0: the consignment waited no time for that step."""
    if start is None or end is None:
        return None
    return max((end - start).total_seconds(), 0.0)


def readable(seconds: float | None) -> str:
    """``2 h 10 min``, ``4 min 30 s``, ``45 s``: how the CLI and the dashboard show a duration; ``-`` for none."""
    if seconds is None:
        return "-"
    whole = round(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "min"), (secs, "s")]
    shown = [f"{value} {unit}" for value, unit in parts if value][:2]
    return " ".join(shown) or "0 s"
