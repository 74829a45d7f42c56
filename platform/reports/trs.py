"""The time-release figures (WCO Time Release Study, Guide version 3) from each consignment's milestones.

The study's segments: arrival to lodgement, lodgement to release, arrival to release (the headline figure),
release to exit, arrival to exit; each as a count, median and 90th percentile, overall, per agency (to
that agency's own release), per border crossing point (of arrival) and per day. A consignment's day is the
UTC date its clock started: its arrival, or its lodgement when no arrival was recorded (lodged and
released before the truck came, or a crossing point that records no border events).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from singlewindow.platform.reports.backlog import Backlog
from singlewindow.platform.reports.durations import Durations, span, summarise
from singlewindow.platform.reports.milestones import Milestones
from singlewindow.platform.reports.period import Period

Segment = Callable[[Milestones], float | None]

SEGMENTS: Mapping[str, Segment] = {
    "arrivalToLodgement": lambda m: span(m.arrived_at, m.lodged_at),
    "lodgementToRelease": lambda m: span(m.lodged_at, m.released_at),
    "arrivalToRelease": lambda m: span(m.arrived_at, m.released_at),
    "releaseToExit": lambda m: span(m.released_at, m.exited_at),
    "arrivalToExit": lambda m: span(m.arrived_at, m.exited_at),
}
CROSSING_SEGMENTS = ("arrivalToRelease", "arrivalToExit")
DAY_SEGMENTS = ("lodgementToRelease", "arrivalToRelease")


def _summaries(consignments: Iterable[Milestones], names: Iterable[str]) -> dict[str, Durations]:
    chosen = list(consignments)
    return {name: summarise(s for m in chosen if (s := SEGMENTS[name](m)) is not None) for name in names}


@dataclass(frozen=True, slots=True)
class Group:
    """One row of a breakdown: its key, how many consignments, and their segments."""

    key: str
    consignments: int
    segments: Mapping[str, Durations]

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "consignments": self.consignments,
            **{name: d.as_dict() for name, d in self.segments.items()},
        }


@dataclass(frozen=True, slots=True)
class TimeReleaseReport:
    period: Period
    consignments: int
    released: int
    arrived: int
    exited: int
    pre_arrival_lodgements: int
    segments: Mapping[str, Durations]
    by_agency: Sequence[Group]
    by_crossing_point: Sequence[Group]
    by_day: Sequence[Group]
    channels: Mapping[str, int]
    backlog: Sequence[Backlog]

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.as_dict(),
            "consignments": self.consignments,
            "released": self.released,
            "arrived": self.arrived,
            "exited": self.exited,
            "preArrivalLodgements": self.pre_arrival_lodgements,
            "segments": {name: d.as_dict() for name, d in self.segments.items()},
            "byAgency": [g.as_dict() for g in self.by_agency],
            "byCrossingPoint": [g.as_dict() for g in self.by_crossing_point],
            "byDay": [g.as_dict() for g in self.by_day],
            "channels": dict(self.channels),
            "backlog": [b.as_dict() for b in self.backlog],
        }


def _grouped(
    consignments: Iterable[Milestones], key: Callable[[Milestones], str | None], names: Sequence[str]
) -> list[Group]:
    groups: dict[str, list[Milestones]] = defaultdict(list)
    for m in consignments:
        if (found := key(m)) is not None:
            groups[found].append(m)
    return [Group(k, len(groups[k]), _summaries(groups[k], names)) for k in sorted(groups)]


def _agencies(consignments: Sequence[Milestones]) -> list[Group]:
    """Per agency: the consignments it released, from lodgement and from arrival to its own release."""
    spans: dict[str, dict[str, list[float]]] = defaultdict(lambda: {"lodgementToRelease": [], "arrivalToRelease": []})
    for m in consignments:
        for agency, at in m.agency_releases.items():
            for name, start in (("lodgementToRelease", m.lodged_at), ("arrivalToRelease", m.arrived_at)):
                if (seconds := span(start, at)) is not None:
                    spans[agency][name].append(seconds)
    return [
        Group(agency, len(spans[agency]["lodgementToRelease"]), {n: summarise(s) for n, s in spans[agency].items()})
        for agency in sorted(spans)
    ]


def time_release_report(
    period: Period, consignments: Sequence[Milestones], channels: Mapping[str, int], backlog: Sequence[Backlog]
) -> TimeReleaseReport:
    def day(m: Milestones) -> str:
        return (m.arrived_at or m.lodged_at).astimezone(UTC).date().isoformat()

    return TimeReleaseReport(
        period=period,
        consignments=len(consignments),
        released=sum(1 for m in consignments if m.released_at is not None),
        arrived=sum(1 for m in consignments if m.arrived_at is not None),
        exited=sum(1 for m in consignments if m.exited_at is not None),
        pre_arrival_lodgements=sum(1 for m in consignments if m.arrived_at and m.lodged_at < m.arrived_at),
        segments=_summaries(consignments, SEGMENTS),
        by_agency=_agencies(consignments),
        by_crossing_point=_grouped(consignments, lambda m: m.crossing_point, CROSSING_SEGMENTS),
        by_day=_grouped(consignments, day, DAY_SEGMENTS),
        channels=channels,
        backlog=backlog,
    )
