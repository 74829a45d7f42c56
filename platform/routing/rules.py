"""Routing rules as typed data: ``message_specs/routing/rules.json``, checked against
``rules.schema.json`` and then for what a schema cannot say (unique ids, flags the engine knows)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from singlewindow.platform.errors import ConfigurationError, Problem
from singlewindow.platform.routing.facts import KNOWN_FLAGS
from singlewindow.platform.routing.loading import raise_if_problems, read_json, schema_problems, shipped_dir

RULES_FILE = "rules.json"


class Direction(StrEnum):
    IMPORT = "import"
    EXPORT = "export"
    TRANSIT = "transit"


class Conditions(BaseModel):
    """All present conditions must hold; each lists alternatives (any one of them will do)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    document_types: frozenset[str] | None = Field(default=None, alias="documentTypes")
    hs_prefixes: tuple[str, ...] | None = Field(default=None, alias="hsPrefixes")
    flags: frozenset[str] | None = None
    border_crossing_points: frozenset[str] | None = Field(default=None, alias="borderCrossingPoints")
    destination_countries: frozenset[str] | None = Field(default=None, alias="destinationCountries")
    export_countries: frozenset[str] | None = Field(default=None, alias="exportCountries")
    direction: frozenset[Direction] | None = None

    @property
    def item_level(self) -> bool:
        """True when the rule picks goods items (by HS code or flag), not the consignment as a whole."""
        return self.hs_prefixes is not None or self.flags is not None


class Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    description: str
    recipients: tuple[str, ...]
    when: Conditions


class RuleSet(BaseModel):
    """The rules in file order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int
    rules: tuple[Rule, ...]

    def get(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise ConfigurationError(f"unknown routing rule {rule_id!r}")


def _semantic_problems(data: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, rule in enumerate(data["rules"]):
        at = f"/rules/{index}"
        if rule["id"] in seen:
            problems.append(
                Problem(f"{at}/id", "duplicate", f"{rule['id']!r} is already used by /rules/{seen[rule['id']]}")
            )
        seen.setdefault(rule["id"], index)
        for position, flag in enumerate(rule["when"].get("flags", ())):
            if flag not in KNOWN_FLAGS:
                known = ", ".join(sorted(KNOWN_FLAGS))
                problems.append(
                    Problem(f"{at}/when/flags/{position}", "flag", f"unknown flag {flag!r} (known: {known})")
                )
    return problems


def parse_rules(data: object, source: str = "<rules>") -> RuleSet:
    """Validate raw JSON data and build the typed rule set; every problem is listed in one error."""
    problems = schema_problems(data, "rules.schema.json")
    if not problems:
        assert isinstance(data, dict)
        problems = _semantic_problems(data)
    raise_if_problems(problems, "routing rules", source)
    try:
        return RuleSet.model_validate(data)
    except ValidationError as exc:  # the schema should have caught it; keep the message clear anyway
        raise ConfigurationError(f"invalid routing rules {source}: {exc}") from exc


def load_rules(directory: Path | None = None) -> RuleSet:
    """Read ``rules.json`` from ``directory`` (default: the shipped routing data)."""
    path = (directory or shipped_dir()) / RULES_FILE
    return parse_rules(read_json(path, "routing rules"), str(path))
