"""Risk profiles as data: JSON files checked against ``profiles/profile.schema.json``, then typed.

Selectivity is policy that customs risk officers change often; keeping it in reviewed data files (like the
routing rules) means a new watch-list origin is a data change, not a release.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import jsonschema

PROFILES = resources.files("singlewindow.adapters.customs") / "profiles"
Channel = Literal["GREEN", "YELLOW", "RED"]


class ProfileError(ValueError):
    """A risk profile file that does not match the schema; the message names the file and the field."""


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    description: str
    score: int
    hs_prefixes: tuple[str, ...] = ()
    origin_countries: tuple[str, ...] = ()
    undervalued_below: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ReferenceValue:
    hs_prefix: str
    per_kg: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class RiskProfile:
    id: str
    version: int
    yellow: int
    red: int
    rules: tuple[Rule, ...]
    references: tuple[ReferenceValue, ...]
    aeo: int
    per_violation: int
    unknown_trader: int
    random_share: float
    random_channel: Channel
    random_seed: str

    def reference_for(self, hs_code: str, currency: str) -> ReferenceValue | None:
        """The longest matching prefix in the same currency (no conversion: a different currency is no hit)."""
        hits = [r for r in self.references if hs_code.startswith(r.hs_prefix) and r.currency == currency]
        return max(hits, key=lambda r: len(r.hs_prefix), default=None)


def _schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((PROFILES / "profile.schema.json").read_text(encoding="utf-8"))
    return loaded


def parse_profile(data: Any, source: str = "<profile>") -> RiskProfile:
    errors = sorted(jsonschema.Draft202012Validator(_schema()).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        raise ProfileError(f"{source}: /{'/'.join(map(str, first.path))}: {first.message}")
    if data["thresholds"]["red"] <= data["thresholds"]["yellow"]:
        raise ProfileError(f"{source}: /thresholds: red must be above yellow")
    rules = tuple(
        Rule(
            r["id"],
            r["description"],
            r["score"],
            tuple(r.get("hsPrefixes", ())),
            tuple(r.get("originCountries", ())),
            Decimal(r["undervaluedBelow"]) if "undervaluedBelow" in r else None,
        )
        for r in data["rules"]
    )
    refs = tuple(ReferenceValue(r["hsPrefix"], Decimal(r["perKg"]), r["currency"]) for r in data["referenceValues"])
    trader, rnd = data["trader"], data["randomControl"]
    return RiskProfile(
        data["id"], data["version"], data["thresholds"]["yellow"], data["thresholds"]["red"], rules, refs,
        trader["aeo"], trader["perViolation"], trader["unknown"],
        float(rnd["share"]), rnd["channel"], rnd["seed"],
    )  # fmt: skip


def load_profile(path: Path | str | None = None) -> RiskProfile:
    """A profile file, or the shipped ``kz-import`` profile when ``path`` is None."""
    try:
        if path is None:
            return parse_profile(json.loads((PROFILES / "kz-import.json").read_text(encoding="utf-8")), "kz-import")
        return parse_profile(json.loads(Path(path).read_text(encoding="utf-8")), str(path))
    except (OSError, json.JSONDecodeError) as exc:
        raise ProfileError(f"cannot read risk profile {path}: {exc}") from exc


__all__ = ["Channel", "ProfileError", "ReferenceValue", "RiskProfile", "Rule", "load_profile"]
