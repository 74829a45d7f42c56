"""Code-set profiles: how another administration's EDIFACT codes map to the project's model, as data.

Administrations fill the same segments with different codes (BGM 962 where we write 961, NAD+AG for the
declarant, GIS outcomes as UNCL 7365 numbers); a profile per partner (``codesets/*.json``, checked against
``codeset.schema.json``) lets the readers take their messages without a code change. The profile applied is
the one named, else the one whose ``senders`` hold the interchange's UNB sender, else ``project``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jsonschema

from singlewindow.adapters.formats import Problem

CODESETS = resources.files("singlewindow.adapters.customs") / "codesets"
PROJECT = "project"


@dataclass(frozen=True, slots=True)
class CodeSet:
    name: str
    senders: frozenset[str]
    documents: Mapping[str, str]
    parties: Mapping[str, str]
    indicators: Mapping[str, str]
    references: Mapping[str, str]

    def indicator(self, code: str, code_list: str) -> str | None:
        """The outcome of a GIS processing indicator: a key naming its code list first, then the bare code."""
        return self.indicators.get(f"{code}:{code_list}") or self.indicators.get(code)

    def codes_for(self, table: Mapping[str, str], concept: str) -> list[str]:
        """The partner's codes that mean ``concept`` (for a problem saying what was looked for)."""
        return [code for code, meaning in table.items() if meaning == concept]


class CodeSetError(ValueError):
    """A shipped profile that does not match its schema (a packaging fault, caught by the tests)."""


def _parse(data: Any, source: str, schema: Mapping[str, Any]) -> CodeSet:
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        raise CodeSetError(f"{source}: /{'/'.join(map(str, errors[0].path))}: {errors[0].message}")
    return CodeSet(
        data["name"], frozenset(data["senders"]), data["documentNames"], data["partyFunctions"],
        data["processingIndicators"], data["references"],
    )  # fmt: skip


@cache
def code_sets() -> dict[str, CodeSet]:
    """Every shipped profile by name."""
    schema = json.loads((CODESETS / "codeset.schema.json").read_text(encoding="utf-8"))
    found = {}
    for entry in CODESETS.iterdir():
        if entry.name.endswith(".json") and not entry.name.endswith(".schema.json"):
            codes = _parse(json.loads(entry.read_text(encoding="utf-8")), entry.name, schema)
            found[codes.name] = codes
    return found


def choose(name: str | None, sender: str) -> tuple[CodeSet, Problem | None]:
    """The profile to apply: the one named, else the sender's, else ``project``; an unknown name is a problem."""
    shipped = code_sets()
    if name is not None:
        if name in shipped:
            return shipped[name], None
        known = ", ".join(sorted(shipped))
        return shipped[PROJECT], Problem("profile", "profile.unknown", f"no code-set profile {name!r} (known: {known})")
    by_sender = [c for c in shipped.values() if sender in c.senders]
    return (by_sender[0] if by_sender else shipped[PROJECT]), None
