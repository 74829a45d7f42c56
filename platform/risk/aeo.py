"""Authorised economic operators (``nsw risk aeo add|remove|list``): a trader's AEO authorisation, by the
trader id the hub knows it under (the declarant principal's id), its number and its expiry. Profiles'
``aeo`` clauses apply while one is valid."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from singlewindow.platform.errors import Conflict, NotFound
from singlewindow.platform.risk.tables import aeo_authorisations
from singlewindow.platform.state.common import aware, rfc3339_millis, utcnow


class AeoRegister:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, trader_id: str, number: str, valid_to: datetime, note: str | None = None) -> None:
        try:
            async with self._engine.begin() as conn:
                await conn.execute(
                    insert(aeo_authorisations).values(
                        trader_id=trader_id, number=number, valid_to=valid_to, note=note, added_at=utcnow()
                    )
                )
        except IntegrityError as exc:
            raise Conflict(f"AEO authorisation {number} of {trader_id} is already registered") from exc

    async def remove(self, trader_id: str, number: str) -> None:
        async with self._engine.begin() as conn:
            removed = await conn.execute(
                delete(aeo_authorisations).where(
                    aeo_authorisations.c.trader_id == trader_id, aeo_authorisations.c.number == number
                )
            )
        if not removed.rowcount:
            raise NotFound(f"no AEO authorisation {number} of {trader_id}")

    async def listing(self) -> list[dict[str, Any]]:
        query = select(aeo_authorisations).order_by(aeo_authorisations.c.trader_id, aeo_authorisations.c.number)
        async with self._engine.connect() as conn:
            rows = list(await conn.execute(query))
        return [
            {"traderId": r.trader_id, "number": r.number, "validTo": rfc3339_millis(aware(r.valid_to)), "note": r.note}
            for r in rows
        ]


async def is_aeo(conn: AsyncConnection, trader_id: str, at: datetime) -> bool:
    query = select(aeo_authorisations.c.number).where(
        aeo_authorisations.c.trader_id == trader_id, aeo_authorisations.c.valid_to > at
    )
    return (await conn.execute(query.limit(1))).first() is not None
