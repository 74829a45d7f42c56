"""Risk-based selectivity: a declaration and the trader's record in, a channel with its reasons out.

Every matching rule adds its score once (however many items match it); the trader's AEO status, violations
or absence from the register adjust the total; the thresholds give the channel. A seeded random share of
declarations goes to control regardless: seeded by the declaration's reference, so the same declaration
always gets the same answer (a resend after an outage cannot change the channel).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from singlewindow.adapters.customs.declaration import Declaration, DeclaredItem, TraderRecord
from singlewindow.adapters.customs.risk_profile import Channel, RiskProfile, Rule

_ORDER: dict[Channel, int] = {"GREEN": 0, "YELLOW": 1, "RED": 2}


@dataclass(frozen=True, slots=True)
class Hit:
    code: str
    text: str
    score: int


@dataclass(frozen=True, slots=True)
class Assessment:
    channel: Channel
    score: int
    hits: tuple[Hit, ...]
    random_selection: bool


def _matches(rule: Rule, item: DeclaredItem, profile: RiskProfile) -> bool:
    if rule.hs_prefixes and not any(item.hs_code.startswith(p) for p in rule.hs_prefixes):
        return False
    if rule.origin_countries and item.origin_country not in rule.origin_countries:
        return False
    if rule.undervalued_below is not None:
        reference = profile.reference_for(item.hs_code, item.currency)
        per_kg = item.value_per_kg()
        if reference is None or per_kg is None or per_kg >= rule.undervalued_below * reference.per_kg:
            return False
    return True


def _trader_hits(profile: RiskProfile, trader: TraderRecord | None) -> list[Hit]:
    if trader is None:
        return [Hit("TRADER-UNKNOWN", "No record of the declarant in the customs register", profile.unknown_trader)]
    hits = []
    if trader.aeo:
        hits.append(Hit("TRADER-AEO", "Authorised economic operator", profile.aeo))
    if trader.violations:
        text = f"{trader.violations} customs violation(s) in the last 24 months"
        hits.append(Hit("TRADER-RECORD", text, trader.violations * profile.per_violation))
    return hits


def random_draw(profile: RiskProfile, reference: str) -> float:
    """A number in [0, 1) fixed by the profile's seed and the declaration reference."""
    digest = hashlib.sha256(f"{profile.random_seed}:{reference}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def assess(declaration: Declaration, trader: TraderRecord | None, profile: RiskProfile) -> Assessment:
    hits = [
        Hit(rule.id, rule.description, rule.score)
        for rule in profile.rules
        if any(_matches(rule, item, profile) for item in declaration.items)
    ]
    hits += _trader_hits(profile, trader)
    score = max(0, sum(h.score for h in hits))
    channel: Channel = "RED" if score >= profile.red else "YELLOW" if score >= profile.yellow else "GREEN"
    selected = random_draw(profile, declaration.reference) < profile.random_share
    if selected and _ORDER[profile.random_channel] > _ORDER[channel]:
        channel = profile.random_channel
        hits.append(Hit("RANDOM", "Selected at random for control", 0))
    return Assessment(channel, score, tuple(hits), selected)
