"""The study period a report covers: whole UTC days, both ends included, either end open.

A time-release study names its days ("1 to 30 November"), so the period is given as dates, and a
consignment belongs to it by the instant it was lodged. Dates come from the command line and query strings,
so a bad one is an InvalidInput pointing at the parameter, never an exception from ``fromisoformat``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from singlewindow.platform.errors import InvalidInput, Problem

_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


@dataclass(frozen=True, slots=True)
class Period:
    start: date | None = None
    end: date | None = None

    @property
    def since(self) -> datetime | None:
        """The first instant in the period (UTC midnight of ``start``)."""
        return datetime.combine(self.start, time(), UTC) if self.start else None

    @property
    def before(self) -> datetime | None:
        """The first instant after the period (UTC midnight after ``end``)."""
        return datetime.combine(self.end + timedelta(days=1), time(), UTC) if self.end else None

    def as_dict(self) -> dict[str, str | None]:
        return {
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
        }


def _day(raw: str | None, name: str) -> date | None:
    if raw is None or raw == "":
        return None
    if not _DATE.match(raw):
        raise InvalidInput(f"{name} must be a date YYYY-MM-DD", [Problem(f"/{name}", "format", "a date YYYY-MM-DD")])
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput(f"{name} is not a calendar date", [Problem(f"/{name}", "format", str(exc))]) from exc


def parse_period(start: str | None, end: str | None) -> Period:
    """``from``/``to`` as written by a person (``YYYY-MM-DD``, absent or empty for an open end)."""
    period = Period(_day(start, "from"), _day(end, "to"))
    if period.start and period.end and period.end < period.start:
        raise InvalidInput("the period ends before it starts", [Problem("/to", "minimum", "on or after from")])
    return period
