"""Fee schedules as data: one JSON file per agency and validity period, under ``message_specs/fees/``.

A schedule is versioned by its validity dates: the one in force at the submission's time prices it, so a new
tariff is a new file with a later ``validFrom`` (and the old one gets a ``validTo``), never an edit of the
old one. Two schedules of one agency whose periods overlap would make the price depend on which file is read
first: ``check_schedules`` refuses them (``nsw fees check``), and ``FeeSchedules`` refuses to load them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from singlewindow.platform.errors import ConfigurationError, NotFound
from singlewindow.platform.specs import default_specs_dir

SCHEMA_FILE = "schedule.schema.json"
PER_DOCUMENT = "DOCUMENT"
PER_INSPECTION = "INSPECTION"


def default_fees_dir() -> Path:
    return default_specs_dir() / "fees"


@dataclass(frozen=True, slots=True)
class Fee:
    code: str
    description: str
    per: str  # PER_DOCUMENT or PER_INSPECTION
    amount: Decimal
    currency: str
    document_types: frozenset[str] | None  # None: every document type

    def applies_to(self, document_type: str) -> bool:
        return self.document_types is None or document_type in self.document_types


@dataclass(frozen=True, slots=True)
class Duties:
    duty_code: str
    vat_code: str
    vat_percent: Decimal
    default_percent: Decimal
    rates: tuple[tuple[str, Decimal], ...]  # (HS prefix, percent), longest prefix first
    document_types: frozenset[str] | None
    currency: str = "KZT"  # the national currency duties are charged in
    exchange_rates: Mapping[str, Decimal] = field(default_factory=dict)  # declared currency -> national units

    def in_national(self, amount: Decimal, currency: str) -> tuple[Decimal, str]:
        """``amount`` in the national currency at the schedule's rate; unchanged when it has no rate."""
        if currency == self.currency:
            return amount, currency
        rate = self.exchange_rates.get(currency)
        return (amount * rate, self.currency) if rate is not None else (amount, currency)

    def rate(self, hs_code: str) -> tuple[Decimal, str]:
        """The percent for ``hs_code`` and what it came from (the HS prefix, or 'default')."""
        for prefix, percent in self.rates:
            if hs_code.startswith(prefix):
                return percent, f"HS {prefix}"
        return self.default_percent, "default"


@dataclass(frozen=True, slots=True)
class Schedule:
    id: str
    agency: str
    version: int
    valid_from: date
    valid_to: date | None  # exclusive
    fees: tuple[Fee, ...]
    duties: Duties | None

    def in_force(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)

    def overlaps(self, other: Schedule) -> bool:
        ends_after_other_starts = self.valid_to is None or other.valid_from < self.valid_to
        other_ends_after_start = other.valid_to is None or self.valid_from < other.valid_to
        return ends_after_other_starts and other_ends_after_start


def _validator(directory: Path) -> Draft202012Validator:
    schema_path = directory / SCHEMA_FILE
    if not schema_path.is_file():
        schema_path = default_fees_dir() / SCHEMA_FILE
    return Draft202012Validator(json.loads(schema_path.read_text(encoding="utf-8")))


def _set(values: Sequence[str] | None) -> frozenset[str] | None:
    return frozenset(values) if values else None


def parse_schedule(body: Mapping[str, Any]) -> Schedule:
    """A schedule from its (already schema-valid) JSON."""
    duties = body.get("duties")
    return Schedule(
        id=body["id"],
        agency=body["agency"],
        version=body["version"],
        valid_from=date.fromisoformat(body["validFrom"]),
        valid_to=date.fromisoformat(body["validTo"]) if body.get("validTo") else None,
        fees=tuple(
            Fee(
                f["code"], f["description"], f["per"], Decimal(f["amount"]), f["currency"], _set(f.get("documentTypes"))
            )
            for f in body["fees"]
        ),
        duties=(
            Duties(
                duties["dutyCode"],
                duties["vatCode"],
                Decimal(duties["vatPercent"]),
                Decimal(duties["defaultPercent"]),
                tuple(
                    sorted(
                        ((r["hsPrefix"], Decimal(r["percent"])) for r in duties["rates"]),
                        key=lambda rate: -len(rate[0]),
                    )
                ),
                _set(duties.get("documentTypes")),
                duties["currency"],
                {code: Decimal(rate) for code, rate in (duties.get("exchangeRates") or {}).items()},
            )
            if duties
            else None
        ),
    )


def read_schedules(directory: Path) -> tuple[list[Schedule], list[str]]:
    """Every schedule file in ``directory`` and the problems found (schema, dates, duplicate ids, overlaps)."""
    validator = _validator(directory)
    schedules: list[Schedule] = []
    problems: list[str] = []
    for path in sorted(directory.glob("*.json")):
        if path.name == SCHEMA_FILE:
            continue
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            problems.append(f"{path.name}: not readable JSON ({exc})")
            continue
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        if errors:
            problems.extend(f"{path.name}: /{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)
            continue
        try:
            schedule = parse_schedule(body)
        except ValueError as exc:
            problems.append(f"{path.name}: {exc}")
            continue
        if schedule.valid_to is not None and schedule.valid_to <= schedule.valid_from:
            problems.append(f"{path.name}: validTo {schedule.valid_to} is not after validFrom {schedule.valid_from}")
            continue
        schedules.append(schedule)
    problems.extend(check_schedules(schedules))
    return schedules, problems


def check_schedules(schedules: Iterable[Schedule]) -> list[str]:
    """Duplicate ids, and schedules of one agency whose validity periods overlap."""
    problems: list[str] = []
    seen: dict[str, Schedule] = {}
    by_agency: dict[str, list[Schedule]] = {}
    for schedule in schedules:
        if schedule.id in seen:
            problems.append(f"schedule id {schedule.id} is used twice")
        seen[schedule.id] = schedule
        by_agency.setdefault(schedule.agency, []).append(schedule)
    for agency, own in sorted(by_agency.items()):
        own.sort(key=lambda s: s.valid_from)
        for i, first in enumerate(own):
            for second in own[i + 1 :]:
                if first.overlaps(second):
                    problems.append(
                        f"{agency}: schedules {first.id} and {second.id} overlap "
                        f"({_period(first)} and {_period(second)})"
                    )
    return problems


def _period(schedule: Schedule) -> str:
    return f"{schedule.valid_from}..{schedule.valid_to or 'open'}"


class FeeSchedules:
    """The loaded schedules; refuses a set with problems, so the hub never prices from ambiguous data."""

    def __init__(self, schedules: Iterable[Schedule]) -> None:
        self._schedules = tuple(schedules)
        problems = check_schedules(self._schedules)
        if problems:
            raise ConfigurationError("fee schedules: " + "; ".join(problems))

    @classmethod
    def load(cls, directory: Path | None = None) -> FeeSchedules:
        schedules, problems = read_schedules(directory or default_fees_dir())
        if problems:
            raise ConfigurationError("fee schedules: " + "; ".join(problems))
        return cls(schedules)

    @property
    def schedules(self) -> tuple[Schedule, ...]:
        return self._schedules

    def in_force(self, agency: str, at: datetime) -> Schedule | None:
        """The agency's schedule on the UTC day of ``at``, or None (the agency charges nothing then)."""
        day = at.astimezone(UTC).date()
        for schedule in self._schedules:
            if schedule.agency == agency and schedule.in_force(day):
                return schedule
        return None

    def get(self, schedule_id: str) -> Schedule:
        for schedule in self._schedules:
            if schedule.id == schedule_id:
                return schedule
        raise NotFound(f"no fee schedule {schedule_id}")
