"""What agencies (their systems and officers) do with the risk service, authorised on the authenticated
principal only: publish their own profiles, list their own profiles, read their own assessments.

Another agency's profile or assessment does not exist for the caller: a request for it is answered exactly
like one for a submission the hub never saw (NotFound), so nothing about it leaks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.errors import AccessDenied, InvalidInput, NotFound, Problem
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.risk.store import ProfileStore
from singlewindow.platform.risk.tables import risk_assessments
from singlewindow.platform.state.common import aware, rfc3339_millis


def agency_of(principal: Principal, *roles: Role) -> str:
    if principal.role not in roles or principal.agency is None:
        allowed = " or ".join(role.value for role in roles)
        raise AccessDenied(f"risk data is for an agency's {allowed} principals; {principal.name} is not one")
    return principal.agency


class RiskService:
    def __init__(self, engine: AsyncEngine, profiles: ProfileStore) -> None:
        self._engine = engine
        self._profiles = profiles

    async def publish(self, principal: Principal, body: Mapping[str, Any]) -> dict[str, Any]:
        """``{"profile": {...}, "signature": "<base64>"}`` from the agency's own system."""
        agency = agency_of(principal, Role.AGENCY)
        profile, signature = body.get("profile"), body.get("signature")
        if not isinstance(profile, dict):
            raise InvalidInput("a profile object is required", [Problem("/profile", "required", "an object")])
        if signature is not None and not isinstance(signature, str):
            raise InvalidInput("the signature is a base64 string", [Problem("/signature", "type", "a string")])
        return await self._profiles.publish(agency, profile, signature, principal.id)

    async def profiles(self, principal: Principal) -> list[dict[str, Any]]:
        return await self._profiles.of_agency(agency_of(principal, Role.AGENCY, Role.OFFICER))

    async def assessments(self, principal: Principal, submission_id: str) -> dict[str, Any]:
        return await assessments_of(self._engine, agency_of(principal, Role.AGENCY, Role.OFFICER), submission_id)


async def assessments_of(engine: AsyncEngine, agency: str, submission_id: str) -> dict[str, Any]:
    """``agency``'s own assessments of every routed version of the submission, oldest first; NotFound when
    it has none (not routed to it, no active profile, or no such submission: the caller cannot tell)."""
    query = (
        select(risk_assessments)
        .where(risk_assessments.c.submission_id == submission_id, risk_assessments.c.agency == agency)
        .order_by(risk_assessments.c.version)
    )
    async with engine.connect() as conn:
        rows = list(await conn.execute(query))
    if not rows:
        raise NotFound(f"no risk assessment of {submission_id} for {agency}")
    return {
        "submissionId": submission_id,
        "agency": agency,
        "assessments": [
            {
                "version": row.version,
                "score": row.score,
                "level": row.level,
                "hits": row.hits,
                "profiles": row.profiles,
                "traderId": row.trader_id,
                "traderHistory": row.history,
                "aeo": row.aeo,
                "assessedAt": rfc3339_millis(aware(row.assessed_at)),
            }
            for row in rows
        ],
    }
