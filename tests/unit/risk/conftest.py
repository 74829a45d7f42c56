"""Shared bits of the risk tests: a profile document built from a few criteria, a signing key per agency,
and a hub database on SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.storage import open_engine, upgrade


def profile_document(agency: str, *criteria: dict[str, Any], version: int = 1, **extra: Any) -> dict[str, Any]:
    return {
        "agency": agency,
        "id": f"{agency}-test",
        "version": version,
        "validFrom": "2026-01-01T00:00:00Z",
        "thresholds": {"documentCheck": 30, "physicalInspection": 60},
        "criteria": list(criteria)
        or [{"id": "ANY", "description": "any fruit", "score": 10, "hsRanges": [{"from": "08", "to": "08"}]}],
        **extra,
    }


def criterion(cid: str, score: int, **conditions: Any) -> dict[str, Any]:
    return {"id": cid, "description": f"criterion {cid}", "score": score, **conditions}


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = open_engine(f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")
    await upgrade(engine)
    try:
        yield engine
    finally:
        await engine.dispose()
