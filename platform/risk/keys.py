"""Agencies' trusted profile-signing keys (``nsw risk key add``): a key belongs to exactly one agency, so a
profile signed with another agency's key never verifies for this one."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.errors import Conflict, InvalidInput, Problem
from singlewindow.platform.identity.models import AGENCY_ID
from singlewindow.platform.risk.signing import key_id, parse_public, public_text
from singlewindow.platform.risk.tables import risk_keys
from singlewindow.platform.state.common import utcnow


class RiskKeys:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, agency: str, public_key: str) -> str:
        """Trust ``public_key`` (base64 raw Ed25519) for ``agency``; its key id. Adding it again is a no-op;
        a key already trusted for another agency is a Conflict."""
        if not AGENCY_ID.match(agency):
            raise InvalidInput(f"not an agency id: {agency!r}", [Problem("/agency", "pattern", "an agency id")])
        public = parse_public(public_key)
        identifier = key_id(public)
        async with self._engine.begin() as conn:
            owner = (await conn.execute(select(risk_keys.c.agency).where(risk_keys.c.key_id == identifier))).first()
            if owner is not None:
                if owner.agency != agency:
                    raise Conflict(f"key {identifier} is already trusted for another agency")
                return identifier
            await conn.execute(
                insert(risk_keys).values(
                    key_id=identifier, agency=agency, public_key=public_text(public), added_at=utcnow()
                )
            )
        return identifier

    async def of_agency(self, agency: str) -> dict[str, Ed25519PublicKey]:
        query = select(risk_keys.c.key_id, risk_keys.c.public_key).where(risk_keys.c.agency == agency)
        async with self._engine.connect() as conn:
            return {row.key_id: parse_public(row.public_key) for row in await conn.execute(query)}

    async def listing(self) -> list[tuple[str, str, str]]:
        """(agency, key id, public key) of every trusted key."""
        query = select(risk_keys).order_by(risk_keys.c.agency, risk_keys.c.key_id)
        async with self._engine.connect() as conn:
            return [(row.agency, row.key_id, row.public_key) for row in await conn.execute(query)]
