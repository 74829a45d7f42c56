"""On PostgreSQL, concurrent write-offs against one permit queue on its row lock and never overdraw it."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import pytest

from singlewindow.platform.identity import PrincipalStore, Role
from singlewindow.platform.permits import (
    CheckRequest,
    PermitDraft,
    PermitKind,
    PermitRefused,
    PermitService,
    PermitStore,
    WriteOffKey,
)
from singlewindow.platform.storage import open_engine, upgrade

pytestmark = pytest.mark.integration


async def test_concurrent_write_offs_cannot_overdraw(fresh_postgres_url: str) -> None:
    engine = open_engine(fresh_postgres_url)
    try:
        await upgrade(engine)
        principals = PrincipalStore(engine)
        customs = (await principals.add("customs", Role.AGENCY, "customs")).principal
        vet = (await principals.add("vet", Role.AGENCY, "veterinary")).principal
        service = PermitService(PermitStore(engine))
        draft = PermitDraft(
            "KZ-VET-PG-1", PermitKind.VETERINARY_CERTIFICATE, "180540012345", ("0202",), "Frozen beef",
            Decimal("20000"), "KGM", date(2026, 1, 1), date(2026, 12, 31),
        )  # fmt: skip
        await service.issue(vet, draft)
        ask = CheckRequest("KZ-VET-PG-1", "180540012345", "0202300000", Decimal("1500"), "KGM", date(2026, 6, 1))

        async def one(i: int) -> bool:
            try:
                await service.write_off(customs, ask, WriteOffKey(f"s{i}", 1, 1))
            except PermitRefused:
                return False
            return True

        # 30 writers, 10 at a time (the pool), each asking 1,500 of 20,000: exactly 13 fit.
        outcomes = await asyncio.gather(*(one(i) for i in range(30)))
        # The same keys again, concurrently: nothing new is written off.
        repeats = await asyncio.gather(*(one(i) for i in range(30) if outcomes[i]))
        permit = await service.get(customs, "KZ-VET-PG-1")
        ledger = await service.ledger(customs, "KZ-VET-PG-1")
    finally:
        await engine.dispose()
    assert sum(outcomes) == 13 and all(repeats)
    assert permit.remaining == Decimal("500.000")
    assert len(ledger) == 13 and sum(e.quantity for e in ledger) == Decimal("19500.000")
