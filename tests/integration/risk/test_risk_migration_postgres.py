"""Migration 0010 on PostgreSQL: the risk tables and the joint findings' compliant flag come up, hold a
stored assessment (JSON, booleans), and go again on the way down to 0009, leaving the rest untouched."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import insert, inspect, select

from singlewindow.platform.risk.tables import risk_assessments
from singlewindow.platform.storage import open_engine, upgrade
from singlewindow.platform.storage.migrate import _config

pytestmark = pytest.mark.integration
NEW = {"risk_keys", "risk_profiles", "risk_assessments", "aeo_authorisations"}


async def test_migration_0010_up_and_down(fresh_postgres_url: str) -> None:
    engine = open_engine(fresh_postgres_url)
    try:
        await upgrade(engine)
        row = {
            "submission_id": "s1", "version": 1, "agency": "customs", "score": 75, "level": "PHYSICAL_INSPECTION",
            "hits": [{"criterion": "C1"}], "profiles": [{"id": "p", "version": 1}], "history": [], "aeo": False,
            "trader_id": "p-trader", "assessed_at": datetime(2026, 12, 1, tzinfo=UTC),
        }  # fmt: skip
        async with engine.begin() as conn:
            await conn.execute(insert(risk_assessments).values(**row))
            stored = (await conn.execute(select(risk_assessments))).one()
        assert (stored.hits, stored.aeo, stored.level) == ([{"criterion": "C1"}], False, "PHYSICAL_INSPECTION")
        async with engine.connect() as conn:
            columns = await conn.run_sync(
                lambda s: {c["name"] for c in inspect(s).get_columns("joint_inspection_parties")}
            )
        assert "compliant" in columns
        async with engine.begin() as conn:
            await conn.run_sync(lambda sync: command.downgrade(_config(sync), "0009"))
        async with engine.connect() as conn:
            tables = set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
            columns = await conn.run_sync(
                lambda s: {c["name"] for c in inspect(s).get_columns("joint_inspection_parties")}
            )
        assert not NEW & tables and "joint_inspections" in tables and "compliant" not in columns
    finally:
        await engine.dispose()
