"""Risk profiles as typed values: an agency's JSON document checked against ``message_specs/risk/
profile.schema.json`` and turned into dataclasses the evaluator reads.

Profiles are data an agency's risk officers change often; the hub never hard-codes a criterion. The
document itself (what the agency signed) is kept beside the parsed form so it can be stored and re-verified.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import jsonschema

from singlewindow.message_specs import root
from singlewindow.platform.errors import InvalidInput, Problem


@dataclass(frozen=True, slots=True)
class HsRange:
    """Inclusive range of HS prefixes: ``0801``..``0810`` covers every code whose first four digits lie
    between them (each bound compares with the code cut to its own length)."""

    low: str
    high: str

    def covers(self, hs_code: str) -> bool:
        return bool(hs_code) and self.low <= hs_code[: len(self.low)] and hs_code[: len(self.high)] <= self.high


@dataclass(frozen=True, slots=True)
class HistoryCondition:
    within_days: int
    rejections_at_least: int | None = None
    inspections_at_least: int | None = None
    negative_findings_at_least: int | None = None
    unknown: bool = False


@dataclass(frozen=True, slots=True)
class PartnerCondition:
    """A partner's NOT_SATISFACTORY control result for the same UCR; optionally only from these agencies."""

    controlling_agencies: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Criterion:
    id: str
    description: str
    score: int
    hs_ranges: tuple[HsRange, ...] = ()
    origin_countries: frozenset[str] = frozenset()
    border_crossing_points: frozenset[str] = frozenset()
    history: HistoryCondition | None = None
    partner: PartnerCondition | None = None
    random_share: float | None = None


@dataclass(frozen=True, slots=True)
class AeoClause:
    score_reduction: int = 0
    no_random_selection: bool = False


@dataclass(frozen=True, slots=True)
class RiskProfile:
    agency: str
    id: str
    version: int
    valid_from: datetime
    valid_to: datetime | None
    document_check: int
    physical_inspection: int
    criteria: tuple[Criterion, ...]
    aeo: AeoClause | None
    document: Mapping[str, Any]

    def active_at(self, at: datetime) -> bool:
        return self.valid_from <= at and (self.valid_to is None or at < self.valid_to)

    @property
    def needs_history(self) -> bool:
        return self.aeo is not None or any(c.history is not None for c in self.criteria)

    @property
    def needs_partner_results(self) -> bool:
        return any(c.partner is not None for c in self.criteria)


@cache
def profile_schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((root() / "risk" / "profile.schema.json").read_text(encoding="utf-8"))
    return loaded


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _criterion(data: Mapping[str, Any], at: str) -> Criterion:
    history = data.get("traderHistory")
    partner = data.get("partnerControlResult")
    conditions = ("hsRanges", "originCountries", "borderCrossingPoints", "traderHistory", "partnerControlResult",
                  "randomShare")  # fmt: skip
    if not any(name in data for name in conditions):
        raise InvalidInput("a criterion needs at least one condition", [Problem(at, "condition", "no condition")])
    return Criterion(
        id=data["id"],
        description=data["description"],
        score=data["score"],
        hs_ranges=tuple(HsRange(r["from"], r["to"]) for r in data.get("hsRanges", ())),
        origin_countries=frozenset(data.get("originCountries", ())),
        border_crossing_points=frozenset(data.get("borderCrossingPoints", ())),
        history=None
        if history is None
        else HistoryCondition(
            history["withinDays"],
            history.get("rejectionsAtLeast"),
            history.get("inspectionsAtLeast"),
            history.get("negativeFindingsAtLeast"),
            bool(history.get("unknown", False)),
        ),
        partner=None if partner is None else PartnerCondition(frozenset(partner.get("controllingAgencies", ()))),
        random_share=data.get("randomShare"),
    )


def parse_profile(data: Any) -> RiskProfile:
    """The typed profile; InvalidInput (with JSON pointers) when it breaks the schema or its own logic."""
    validator = jsonschema.Draft202012Validator(profile_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        problems = [Problem("/" + "/".join(map(str, e.absolute_path)), str(e.validator), e.message) for e in errors]
        raise InvalidInput("the risk profile does not match its schema", problems[:20])
    thresholds = data["thresholds"]
    if thresholds["physicalInspection"] <= thresholds["documentCheck"]:
        raise InvalidInput(
            "thresholds: physicalInspection must be above documentCheck",
            [Problem("/thresholds/physicalInspection", "minimum", "above documentCheck")],
        )
    ids = [c["id"] for c in data["criteria"]]
    if len(set(ids)) != len(ids):
        raise InvalidInput("criterion ids must be unique", [Problem("/criteria", "uniqueItems", "duplicate id")])
    valid_from, valid_to = _time(data["validFrom"]), _time(data["validTo"]) if "validTo" in data else None
    if valid_to is not None and valid_to <= valid_from:
        raise InvalidInput("validTo must be after validFrom", [Problem("/validTo", "minimum", "after validFrom")])
    aeo = data.get("aeo")
    return RiskProfile(
        agency=data["agency"],
        id=data["id"],
        version=data["version"],
        valid_from=valid_from,
        valid_to=valid_to,
        document_check=thresholds["documentCheck"],
        physical_inspection=thresholds["physicalInspection"],
        criteria=tuple(_criterion(c, f"/criteria/{i}") for i, c in enumerate(data["criteria"])),
        aeo=None if aeo is None else AeoClause(aeo.get("scoreReduction", 0), bool(aeo.get("noRandomSelection", False))),
        document=data,
    )


def shipped_profiles() -> dict[str, dict[str, Any]]:
    """The example profile of each agency shipped in ``message_specs/risk/profiles`` (agency -> document)."""
    folder = root() / "risk" / "profiles"
    found: dict[str, dict[str, Any]] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            document = json.loads(entry.read_text(encoding="utf-8"))
            found[document["agency"]] = document
    return found
