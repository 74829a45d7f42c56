"""One agency's risk outcome for one submission: every active profile of the agency evaluated on the facts
the hub holds, scores summed, the AEO clause applied, the level read from the thresholds.

Pure and deterministic: the random share is drawn from a hash of the submission id, the profile id and the
criterion id, so a redelivered intake message (or ``nsw risk explain``) gets the same answer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from singlewindow.platform.risk.profile import Criterion, HistoryCondition, RiskProfile

NONE = "NONE"
DOCUMENT_CHECK = "DOCUMENT_CHECK"
PHYSICAL_INSPECTION = "PHYSICAL_INSPECTION"
LEVELS = (NONE, DOCUMENT_CHECK, PHYSICAL_INSPECTION)


@dataclass(frozen=True, slots=True)
class TraderHistory:
    """The trader's record in the hub over one window (``withinDays``), from the hub's own tables."""

    within_days: int
    submissions: int
    rejections: int
    inspections: int
    negative_findings: int

    def as_dict(self) -> dict[str, int]:
        return {
            "withinDays": self.within_days,
            "submissions": self.submissions,
            "rejections": self.rejections,
            "inspections": self.inspections,
            "negativeFindings": self.negative_findings,
        }


@dataclass(frozen=True, slots=True)
class RiskFacts:
    """What the criteria test, gathered once per submission version."""

    submission_id: str
    trader_id: str
    hs_codes: frozenset[str]
    origins: frozenset[str]
    border_crossing_points: frozenset[str]
    history: Mapping[int, TraderHistory] = field(default_factory=dict)  # window in days -> counts
    aeo: bool = False
    partner_findings: frozenset[str] = frozenset()  # controlling agencies of NOT_SATISFACTORY partner results


@dataclass(frozen=True, slots=True)
class Hit:
    profile: str
    criterion: str
    description: str
    score: int


@dataclass(frozen=True, slots=True)
class Outcome:
    """One agency's result: what the hub stores and puts (only) into that agency's view."""

    agency: str
    score: int
    level: str
    hits: tuple[Hit, ...]
    profiles: tuple[tuple[str, int], ...]
    aeo: bool
    history: tuple[TraderHistory, ...]

    def view_field(self) -> dict[str, Any]:
        """The ``risk`` field of the agency's view (``message_specs/documents/view-*``)."""
        return {
            "score": self.score,
            "level": self.level,
            "profiles": [{"id": pid, "version": version} for pid, version in self.profiles],
            "hits": [
                {"profile": h.profile, "criterion": h.criterion, "description": h.description, "score": h.score}
                for h in self.hits
            ],
            "aeo": self.aeo,
        }


def random_draw(submission_id: str, profile_id: str, criterion_id: str) -> float:
    """A number in [0, 1) fixed by the three ids."""
    digest = hashlib.sha256(f"{submission_id}\x00{profile_id}\x00{criterion_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _history_holds(condition: HistoryCondition, facts: RiskFacts) -> bool:
    history = facts.history.get(condition.within_days)
    if history is None:
        return False
    if condition.unknown:
        return history.submissions == 0
    counts = (
        (condition.rejections_at_least, history.rejections),
        (condition.inspections_at_least, history.inspections),
        (condition.negative_findings_at_least, history.negative_findings),
    )
    return any(minimum is not None and count >= minimum for minimum, count in counts)


def hits(criterion: Criterion, profile: RiskProfile, facts: RiskFacts) -> bool:
    """Whether every condition the criterion states holds."""
    if criterion.hs_ranges and not any(r.covers(code) for r in criterion.hs_ranges for code in facts.hs_codes):
        return False
    if criterion.origin_countries and not criterion.origin_countries & facts.origins:
        return False
    if criterion.border_crossing_points and not criterion.border_crossing_points & facts.border_crossing_points:
        return False
    if criterion.history is not None and not _history_holds(criterion.history, facts):
        return False
    if criterion.partner is not None:
        wanted = criterion.partner.controlling_agencies
        if not (facts.partner_findings & wanted if wanted else facts.partner_findings):
            return False
    if criterion.random_share is not None:
        if facts.aeo and profile.aeo is not None and profile.aeo.no_random_selection:
            return False
        if random_draw(facts.submission_id, profile.id, criterion.id) >= criterion.random_share:
            return False
    return True


def evaluate(agency: str, profiles: Sequence[RiskProfile], facts: RiskFacts) -> Outcome:
    """The agency's outcome over all its active profiles: the highest level any profile reaches, the sum of
    each profile's score (after its AEO reduction, never below 0)."""
    total, level, found = 0, NONE, list[Hit]()
    for profile in sorted(profiles, key=lambda p: p.id):
        hit = [c for c in profile.criteria if hits(c, profile, facts)]
        found.extend(Hit(profile.id, c.id, c.description, c.score) for c in hit)
        score = sum(c.score for c in hit)
        if facts.aeo and profile.aeo is not None:
            score = max(0, score - profile.aeo.score_reduction)
        total += score
        reached = (
            PHYSICAL_INSPECTION
            if score >= profile.physical_inspection
            else DOCUMENT_CHECK
            if score >= profile.document_check
            else NONE
        )
        level = max(level, reached, key=LEVELS.index)
    return Outcome(
        agency=agency,
        score=total,
        level=level,
        hits=tuple(found),
        profiles=tuple((p.id, p.version) for p in sorted(profiles, key=lambda p: p.id)),
        aeo=facts.aeo,
        history=tuple(facts.history[days] for days in sorted(facts.history)),
    )
