"""The time-release and trade figures (``nsw report``, and the dashboard through the same reports service) are
the same on PostgreSQL as on SQLite: the hand-made history of the unit tests, written into both databases,
gives identical reports, and ``nsw report --json`` on PostgreSQL prints them."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from singlewindow.platform.cli.main import cli
from singlewindow.platform.reports import ReportService, parse_period
from singlewindow.platform.storage import open_engine, upgrade
from tests.unit.reports.conftest import History, write_history

NOVEMBER = parse_period("2026-11-01", "2026-11-30")


async def _reports(url: str) -> dict[str, Any]:
    engine = open_engine(url)
    try:
        await upgrade(engine)
        async with engine.begin() as conn:
            await write_history(History(conn))
        service = ReportService(engine, "KZ")
        return {
            "trs": (await service.time_release(NOVEMBER)).as_dict(),
            "trade": (await service.trade(NOVEMBER)).as_dict(),
        }
    finally:
        await engine.dispose()


def test_reports_on_postgres_equal_those_on_sqlite(fresh_postgres_url: str, tmp_path: Path) -> None:
    on_postgres = asyncio.run(_reports(fresh_postgres_url))
    on_sqlite = asyncio.run(_reports(f"sqlite:///{tmp_path / 'hub.db'}"))
    assert on_postgres == on_sqlite
    trs = on_postgres["trs"]
    assert [trs[k] for k in ("consignments", "released", "arrived", "exited")] == [5, 3, 3, 2]
    assert trs["channels"] == {"GREEN": 1, "YELLOW": 1, "RED": 1}
    assert [g["key"] for g in trs["byAgency"]] == ["customs", "phytosanitary", "veterinary"]

    period = ["--from", "2026-11-01", "--to", "2026-11-30", "--json", "--db", fresh_postgres_url]
    for name in ("trs", "trade"):
        printed = CliRunner().invoke(cli, ["report", name, *period])
        assert printed.exit_code == 0, printed.output
        assert json.loads(printed.output) == on_postgres[name]
