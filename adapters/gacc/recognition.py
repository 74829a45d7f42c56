"""Mutual recognition of KZ control results (second stage of joint customs control), as pure functions:
a cargo manifest is accepted without inspection when a satisfactory KZ control result covers it, its seals
are the manifest's seals, and GACC's own risk profile has no hit; otherwise it is inspected (RED), and the
reasons say why."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from singlewindow.adapters.gacc.config import RiskRule
from singlewindow.adapters.gacc.store import ControlResult

SATISFACTORY = frozenset({"SATISFACTORY", "SATISFACTORY_WITH_REMARKS"})


@dataclass(frozen=True, slots=True)
class Finding:
    """A reason of the decision: its code and the text the carrier reads."""

    code: str
    text: str


@dataclass(frozen=True, slots=True)
class Verdict:
    accepted: bool
    reasons: tuple[Finding, ...]
    control_result: str | None = None
    """The control result the verdict rests on, if any."""


def manifest_ucrs(manifest: Mapping[str, Any]) -> set[str]:
    """The trip's ucr and every consignment's: a control result may be about either."""
    ucrs = {str(manifest.get("ucr", ""))}
    ucrs |= {str(c.get("ucr")) for c in manifest.get("consignments", []) if isinstance(c, Mapping) and c.get("ucr")}
    return ucrs - {""}


def referenced_control_results(manifest: Mapping[str, Any]) -> set[str]:
    return {str(r.get("id")) for r in manifest.get("references", []) if r.get("type") == "CONTROL_RESULT"}


def seal_numbers(seals: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(sorted(str(seal.get("number")) for seal in seals))


def risk_hits(manifest: Mapping[str, Any], rules: Sequence[RiskRule]) -> list[Finding]:
    carrier = str(manifest.get("carrier", {}).get("identificationNumber", ""))
    consignments = [c for c in manifest.get("consignments", []) if isinstance(c, Mapping)]
    consignees = {str(c.get("consignee", {}).get("identificationNumber", "")) for c in consignments}
    headings = [str(g.get("hsHeading", "")) for c in consignments for g in c.get("goods", [])]
    hits: list[Finding] = []
    for rule in rules:
        why = [f"HS {h}" for h in headings if rule.hs_prefixes and h.startswith(rule.hs_prefixes)]
        why += [f"carrier {carrier}"] if carrier in rule.carrier_ids else []
        why += [f"consignee {c}" for c in sorted(consignees & set(rule.consignee_ids))]
        if why:
            hits.append(Finding(f"RISK-{rule.id}"[:20], f"GACC risk rule {rule.id} hit: {', '.join(why)}"))
    return hits


def assess_manifest(
    manifest: Mapping[str, Any], results: Sequence[ControlResult], rules: Sequence[RiskRule]
) -> Verdict:
    """The mutual-recognition verdict on ``manifest`` given the KZ control results that concern it."""
    seals = seal_numbers(manifest.get("seals", []))
    hits = risk_hits(manifest, rules)
    satisfactory = [r for r in results if r.result in SATISFACTORY]
    matching = [r for r in satisfactory if tuple(sorted(r.seals)) == seals]
    if matching and not hits:
        chosen = matching[-1]
        text = (
            f"KZ control result {chosen.document_id} ({chosen.result.lower().replace('_', ' ')}) recognised; "
            f"seals {', '.join(seals) or '(none)'} match the manifest: no inspection"
        )
        return Verdict(True, (Finding("MUTUAL-RECOGNITION", text),), chosen.document_id)
    reasons: list[Finding] = []
    if not results:
        reasons.append(Finding("NO-CONTROL-RESULT", "no KZ control result for this manifest yet"))
    elif not satisfactory:
        named = ", ".join(f"{r.document_id} ({r.result})" for r in results)
        reasons.append(Finding("NOT-SATISFACTORY", f"KZ control result not satisfactory: {named}"))
    elif not matching:
        for result in satisfactory:
            applied = ", ".join(sorted(result.seals)) or "(none)"
            text = (
                f"seals differ: KZ control result {result.document_id} applied {applied}, "
                f"the manifest declares {', '.join(seals) or '(none)'}"
            )
            reasons.append(Finding("SEALS-DIFFER", text))
    reasons += hits
    return Verdict(False, tuple(reasons), results[-1].document_id if results else None)
