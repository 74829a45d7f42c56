"""On PostgreSQL, reversals racing each other and new write-offs on one permit keep its balance exact: each
write-off is given back once, and the balance is always the total less what is written off and not reversed."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

import pytest

from singlewindow.platform.identity import PrincipalStore, Role
from singlewindow.platform.permits import (
    CheckRequest,
    EntryKind,
    PermitDraft,
    PermitKind,
    PermitRefused,
    PermitService,
    PermitStore,
    WriteOffKey,
)
from singlewindow.platform.storage import open_engine, upgrade

pytestmark = pytest.mark.integration


async def test_concurrent_reversals_and_write_offs_keep_the_balance_exact(fresh_postgres_url: str) -> None:
    engine = open_engine(fresh_postgres_url)
    try:
        await upgrade(engine)
        principals = PrincipalStore(engine)
        customs = (await principals.add("customs", Role.AGENCY, "customs")).principal
        vet = (await principals.add("vet", Role.AGENCY, "veterinary")).principal
        service = PermitService(PermitStore(engine))
        draft = PermitDraft(
            "KZ-VET-PG-R", PermitKind.VETERINARY_CERTIFICATE, "180540012345", ("0202",), "Frozen beef",
            Decimal("20000"), "KGM", date(2026, 1, 1), date(2026, 12, 31),
        )  # fmt: skip
        await service.issue(vet, draft)
        ask = CheckRequest("KZ-VET-PG-R", "180540012345", "0202300000", Decimal("1500"), "KGM", date(2026, 6, 1))
        for i in range(13):  # 19,500 of 20,000 written off
            await service.write_off(customs, ask, WriteOffKey(f"old{i}", 1, 1))

        async def reverse(i: int) -> bool:
            return (await service.reverse(customs, "KZ-VET-PG-R", WriteOffKey(f"old{i}", 1, 1), "cancelled")).created

        async def write_off(i: int) -> bool:
            try:
                return (await service.write_off(customs, ask, WriteOffKey(f"new{i}", 1, 1))).created
            except PermitRefused:
                return False

        # Every old write-off reversed twice at once, while 13 new ones ask for the balance.
        work = [reverse(i) for _ in range(2) for i in range(13)] + [write_off(i) for i in range(13)]
        outcomes = await asyncio.gather(*work)
        permit = await service.get(customs, "KZ-VET-PG-R")
        ledger = await service.ledger(customs, "KZ-VET-PG-R")
    finally:
        await engine.dispose()
    reversed_now, written_now = outcomes[:26], outcomes[26:]
    assert sum(reversed_now) == 13  # each given back exactly once
    reversals = [e for e in ledger if e.kind is EntryKind.REVERSAL]
    write_offs = [e for e in ledger if e.kind is EntryKind.WRITE_OFF]
    assert len(reversals) == 13 and len(write_offs) == 13 + sum(written_now)
    expected = Decimal("20000.000") - sum(e.quantity for e in write_offs) + sum(e.quantity for e in reversals)
    assert permit.remaining == expected == Decimal("20000.000") - Decimal(1500) * sum(written_now)
