"""Risk at routing: every active profile of every agency a submission version is routed to, evaluated once;
the outcomes written in the routing's own transaction (one multi-row insert per batch), each agency's own
outcome added to its view, and one joint inspection proposed when two or more agencies' outcomes are
PHYSICAL_INSPECTION.

Cheap on the hot path: profiles come from the store's cache; the trader's record, AEO status and partner
control results are read only when an active profile needs them (one short read each per version).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from singlewindow.platform.aggregation import TERMINAL, Consolidated
from singlewindow.platform.errors import NotFound
from singlewindow.platform.officers.joint import propose_for_hub
from singlewindow.platform.risk.aeo import is_aeo
from singlewindow.platform.risk.evaluate import PHYSICAL_INSPECTION, Outcome, RiskFacts, evaluate
from singlewindow.platform.risk.history import partner_findings, trader_history
from singlewindow.platform.risk.keys import RiskKeys
from singlewindow.platform.risk.profile import RiskProfile
from singlewindow.platform.risk.store import ProfileStore
from singlewindow.platform.risk.tables import risk_assessments
from singlewindow.platform.routing.facts import extract_facts
from singlewindow.platform.state.changes import Change, DecisionChange, RecipientChanges
from singlewindow.platform.state.common import utcnow
from singlewindow.platform.state.recipients import Routing
from singlewindow.platform.storage.tables import submission_versions, submissions

HUB_PROPOSER = "hub"
"""The proposer of risk-based joint inspections (``proposing_agency`` and ``proposed_by``): the hub itself,
so every agency, none of them pre-accepted, answers the slot."""


@dataclass(frozen=True, slots=True)
class Assessment:
    """One submission version's outcomes (agency -> outcome) and, maybe, the joint inspection it proposes."""

    submission_id: str
    version: int
    ucr: str
    trader_id: str
    outcomes: Mapping[str, Outcome]
    joint_agencies: tuple[str, ...]
    place: str
    assessed_at: datetime


def slot_after(now: datetime) -> datetime:
    """The default slot of a risk-based joint inspection: the next full hour at least an hour away."""
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)


def _origins(document: Mapping[str, Any]) -> frozenset[str]:
    items = document.get("goodsItems")
    found = {i.get("originCountry") for i in items if isinstance(i, dict)} if isinstance(items, list) else set()
    origins = frozenset(o for o in found if isinstance(o, str))
    export = document.get("exportCountry")
    return origins or (frozenset({export}) if isinstance(export, str) else frozenset())


class RiskAssessor:
    def __init__(self, engine: AsyncEngine, keys: RiskKeys, profiles: ProfileStore, country: str = "KZ") -> None:
        self._engine = engine
        self.keys = keys
        self.profiles = profiles
        self._country = country

    async def assess(
        self,
        submission_id: str,
        version: int,
        document_type: str,
        document: Mapping[str, Any],
        trader_id: str,
        agencies: Sequence[str],
    ) -> Assessment | None:
        """The outcomes of the agencies (not partners) being routed to; None when none has an active profile."""
        now = utcnow()
        active = await self.profiles.active(now)
        mine = {agency: active[agency] for agency in agencies if agency in active}
        if not mine:
            return None
        profiles = [p for found in mine.values() for p in found]
        facts = extract_facts(document_type, document)
        ucr = str(document.get("ucr", ""))
        history, aeo, partners = await self._records(submission_id, trader_id, ucr, profiles, now)
        risk_facts = RiskFacts(
            submission_id=submission_id,
            trader_id=trader_id,
            hs_codes=frozenset(item.hs_code for item in facts.items if item.hs_code),
            origins=_origins(document),
            border_crossing_points=facts.border_crossing_points,
            history=history,
            aeo=aeo,
            partner_findings=partners,
        )
        outcomes = {agency: evaluate(agency, found, risk_facts) for agency, found in sorted(mine.items())}
        physical = tuple(a for a, o in outcomes.items() if o.level == PHYSICAL_INSPECTION)
        place = self._place(facts.border_crossing_points)
        return Assessment(
            submission_id, version, ucr, trader_id, outcomes, physical if len(physical) >= 2 else (), place, now
        )

    def _place(self, crossing_points: Iterable[str]) -> str:
        """Where a joint inspection is proposed: the consignment's own crossing point in this country."""
        points = sorted(crossing_points)
        own = [p for p in points if p.startswith(self._country)] or points
        return f"border crossing point {own[0]}" if own else "customs control zone of the office of declaration"

    async def propose_on_decisions(
        self, conn: AsyncConnection, changes: RecipientChanges, batch: Sequence[Change]
    ) -> None:
        """The aggregator's ``AfterChanges`` hook: a version on which two or more agencies now require a physical
        inspection (INSPECTION_REQUIRED on the RED channel, or with no channel: an agency without channels
        inspects physically) gets one joint inspection proposed by the hub, unless it already has one (an
        officer's, or the one proposed at routing)."""
        keys = sorted(
            {
                (c.submission_id, c.version)
                for c in batch
                if isinstance(c, DecisionChange) and c.decision.physical_inspection
            }
        )
        for submission_id, version in keys:
            try:
                head = changes.version(submission_id, version)
            except NotFound:
                continue
            if Consolidated(head.status) in TERMINAL:
                continue
            agencies = [
                s.recipient
                for s in changes.states(submission_id, version, "AGENCY")
                if s.decision is not None and s.decision.physical_inspection
            ]
            if len(agencies) < 2:
                continue
            place = self._place(await _crossing_points(conn, submission_id, version))
            await propose_for_hub(
                conn, submission_id, version, head.ucr, agencies, slot_after(utcnow()), place, HUB_PROPOSER
            )

    async def _records(
        self, submission_id: str, trader_id: str, ucr: str, profiles: Sequence[RiskProfile], now: datetime
    ) -> tuple[dict[int, Any], bool, frozenset[str]]:
        days = {c.history.within_days for p in profiles for c in p.criteria if c.history is not None}
        wants_aeo = any(p.aeo is not None for p in profiles)
        wants_partners = any(p.needs_partner_results for p in profiles)
        if not (days or wants_aeo or wants_partners):
            return {}, False, frozenset()
        async with self._engine.connect() as conn:
            history = await trader_history(conn, trader_id, submission_id, days, now) if days else {}
            aeo = await is_aeo(conn, trader_id, now) if wants_aeo else False
            partners = await partner_findings(conn, ucr) if wants_partners and ucr else frozenset()
        return history, aeo, partners

    async def record_routings(self, conn: AsyncConnection, routings: Sequence[Routing]) -> None:
        """The state store's ``AfterRouting`` hook: the assessments the committed routings carry."""
        await self.record(conn, [r.risk for r in routings if isinstance(r.risk, Assessment)])

    @staticmethod
    async def record(conn: AsyncConnection, assessments: Sequence[Assessment]) -> None:
        """Inside the routing's transaction: every outcome of the batch in one insert, then the joint
        proposals (one per version: routing commits a version once, so redelivery proposes nothing new)."""
        rows = [
            {
                "submission_id": a.submission_id,
                "version": a.version,
                "agency": agency,
                "score": outcome.score,
                "level": outcome.level,
                "hits": outcome.view_field()["hits"],
                "profiles": outcome.view_field()["profiles"],
                "history": [h.as_dict() for h in outcome.history],
                "aeo": outcome.aeo,
                "trader_id": a.trader_id,
                "assessed_at": a.assessed_at,
            }
            for a in assessments
            for agency, outcome in a.outcomes.items()
        ]
        if rows:
            await conn.execute(insert(risk_assessments), rows)
        for a in assessments:
            if a.joint_agencies:
                await propose_for_hub(
                    conn, a.submission_id, a.version, a.ucr, a.joint_agencies, slot_after(a.assessed_at), a.place,
                    HUB_PROPOSER,
                )  # fmt: skip


async def _crossing_points(conn: AsyncConnection, submission_id: str, version: int) -> frozenset[str]:
    """The version's border crossing points, from its stored document (read only when a proposal is due)."""
    query = (
        select(submissions.c.document_type, submission_versions.c.document)
        .join(submissions, submissions.c.id == submission_versions.c.submission_id)
        .where(submission_versions.c.submission_id == submission_id, submission_versions.c.version == version)
    )
    row = (await conn.execute(query)).first()
    if row is None:
        return frozenset()
    return extract_facts(row.document_type, row.document).border_crossing_points
