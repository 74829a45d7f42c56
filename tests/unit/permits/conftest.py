"""A migrated SQLite hub database and principals for the permits register tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.identity import Principal, PrincipalStore, Role
from singlewindow.platform.permits import PermitDraft, PermitKind, PermitService, PermitStore
from singlewindow.platform.storage import open_engine, upgrade


@dataclass
class Register:
    engine: AsyncEngine
    service: PermitService
    principals: PrincipalStore
    customs: Principal
    veterinary: Principal
    sanitary: Principal
    trader: Principal
    operator: Principal


def beef_certificate(number: str = "KZ-VET-2026-000481", quantity: str = "20000.000") -> PermitDraft:
    return PermitDraft(
        number=number,
        kind=PermitKind.VETERINARY_CERTIFICATE,
        holder_id="180540012345",
        hs_codes=("0202",),
        description="Frozen boneless beef",
        quantity=Decimal(quantity),
        unit="KGM",
        valid_from=date(2026, 11, 1),
        valid_until=date(2026, 12, 31),
    )


@pytest.fixture
def certificate() -> object:
    """The factory ``beef_certificate`` (test modules cannot import conftest under importlib mode)."""
    return beef_certificate


@pytest.fixture
async def register(tmp_path: Path) -> AsyncIterator[Register]:
    engine = open_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    await upgrade(engine)
    principals = PrincipalStore(engine)

    async def add(name: str, role: Role, agency: str | None = None) -> Principal:
        return (await principals.add(name, role, agency)).principal

    try:
        yield Register(
            engine,
            PermitService(PermitStore(engine)),
            principals,
            await add("customs-adapter", Role.AGENCY, "customs"),
            await add("vet-adapter", Role.AGENCY, "veterinary"),
            await add("sanitary-adapter", Role.AGENCY, "sanitary"),
            await add("almaty-fruit", Role.TRADER),
            await add("ops", Role.OPERATOR),
        )
    finally:
        await engine.dispose()
