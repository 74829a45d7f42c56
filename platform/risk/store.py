"""Published risk profiles: the checks a publication passes (owner, signature, schema, version), the
agency's own listing, and the active set the router reads through a short cache.

Only published signed profiles count; nothing else feeds the evaluator. A profile is refused when it is
unsigned, signed by a key not registered for its agency, for another agency than the publisher, invalid, or
not newer than the version stored for its id.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.errors import AccessDenied, Conflict, InvalidInput
from singlewindow.platform.risk.keys import RiskKeys
from singlewindow.platform.risk.profile import RiskProfile, parse_profile
from singlewindow.platform.risk.signing import verified
from singlewindow.platform.risk.tables import risk_profiles
from singlewindow.platform.state.common import aware, rfc3339_millis, utcnow

log = structlog.get_logger(__name__)


class ProfileStore:
    def __init__(
        self,
        engine: AsyncEngine,
        keys: RiskKeys,
        cache_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._keys = keys
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._cached: tuple[float, list[RiskProfile]] | None = None

    async def publish(
        self, agency: str, document: Mapping[str, Any], signature: str | None, published_by: str
    ) -> dict[str, Any]:
        """Store a profile ``agency`` published (the authenticated publisher's agency, never the document's
        word); the stored summary."""
        if not isinstance(document, Mapping) or document.get("agency") != agency:
            raise AccessDenied(f"{agency} may publish only its own risk profiles")
        profile = parse_profile(document)
        key = verified(await self._keys.of_agency(agency), document, signature)
        async with self._engine.begin() as conn:
            latest = (
                await conn.execute(
                    select(func.max(risk_profiles.c.version)).where(
                        risk_profiles.c.agency == agency, risk_profiles.c.profile_id == profile.id
                    )
                )
            ).scalar()
            if latest is not None and profile.version <= latest:
                raise Conflict(f"risk profile {profile.id} version {profile.version} is not newer than {latest}")
            try:
                await conn.execute(
                    insert(risk_profiles).values(
                        agency=agency, profile_id=profile.id, version=profile.version, document=dict(document),
                        signature=signature, key_id=key, valid_from=profile.valid_from, valid_to=profile.valid_to,
                        published_by=published_by, published_at=utcnow(),
                    )
                )  # fmt: skip
            except IntegrityError as exc:  # a racing publication of the same version
                raise Conflict(f"risk profile {profile.id} version {profile.version} exists") from exc
        self._cached = None
        return {"agency": agency, "id": profile.id, "version": profile.version, "keyId": key}

    async def of_agency(self, agency: str) -> list[dict[str, Any]]:
        """Every stored version of the agency's own profiles (documents included): the owner reads them all,
        no other agency reads any."""
        query = (
            select(risk_profiles)
            .where(risk_profiles.c.agency == agency)
            .order_by(risk_profiles.c.profile_id, risk_profiles.c.version)
        )
        async with self._engine.connect() as conn:
            rows = list(await conn.execute(query))
        return [
            {
                "id": row.profile_id,
                "version": row.version,
                "validFrom": rfc3339_millis(aware(row.valid_from)),
                "validTo": rfc3339_millis(aware(row.valid_to)) if row.valid_to else None,
                "keyId": row.key_id,
                "publishedAt": rfc3339_millis(aware(row.published_at)),
                "document": row.document,
            }
            for row in rows
        ]

    async def active(self, at: datetime | None = None) -> dict[str, list[RiskProfile]]:
        """Agency -> its profiles in force at ``at`` (now): per id the highest version whose validity has
        begun, if it has not ended. Read at most once per ``cache_seconds`` (the router asks per message)."""
        now = self._clock()
        if self._cached is None or now - self._cached[0] >= self._cache_seconds:
            async with self._engine.connect() as conn:
                rows = list(await conn.execute(select(risk_profiles.c.document)))
            self._cached = (now, _parsed(row.document for row in rows))
        moment = at or utcnow()
        newest: dict[tuple[str, str], RiskProfile] = {}
        for profile in self._cached[1]:
            key = (profile.agency, profile.id)
            if profile.valid_from <= moment and (key not in newest or newest[key].version < profile.version):
                newest[key] = profile
        found: dict[str, list[RiskProfile]] = {}
        for profile in newest.values():
            if profile.active_at(moment):
                found.setdefault(profile.agency, []).append(profile)
        return found


def _parsed(documents: Iterable[Any]) -> list[RiskProfile]:
    """The stored profiles; one that no longer parses (a later, stricter schema) is left out and logged,
    never allowed to stop routing."""
    parsed = []
    for document in documents:
        try:
            parsed.append(parse_profile(document))
        except InvalidInput as exc:
            log.error("stored risk profile skipped", agency=document.get("agency"), profile=document.get("id"),
                      error=exc.message)  # fmt: skip
    return parsed
