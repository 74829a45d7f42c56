"""Trade statistics over the hand-made declarations of conftest.py: exact decimal sums per breakdown."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.reports import ReportService, parse_period, trade_csv

NOVEMBER = parse_period("2026-11-01", "2026-11-30")


def row(key: str, direction: str, declarations: int, items: int, mass: str, usd: str | None) -> dict[str, Any]:
    return {
        "key": key,
        "direction": direction,
        "declarations": declarations,
        "goodsItems": items,
        "netMassKg": mass,
        "statisticalValue": {"USD": usd} if usd else {},
    }


async def test_breakdowns_by_chapter_partner_and_month(engine: AsyncEngine) -> None:
    report = (await ReportService(engine, "KZ").trade(NOVEMBER)).as_dict()
    assert report["declarations"] == 4  # S1, S2, S3 and S4b; S4 is counted as its declaration S4b
    assert report["byChapter"] == [
        row("02", "import", 1, 1, "18000.000", "79200.00"),  # S2 has no procedure: destination KZ is home
        row("08", "import", 1, 2, "20500.500", "17200.50"),
        row("10", "export", 1, 2, "66000.000", "16250.00"),  # the declaration's items, not the consignment's
        row("84", "import", 1, 1, "4800.000", "240000.00"),
    ]
    assert report["byPartner"] == [
        row("CN", "export", 1, 2, "66000.000", "16250.00"),
        row("CN", "import", 2, 3, "25300.500", "257200.50"),  # an item without origin: the export country
        row("KG", "import", 1, 1, "18000.000", "79200.00"),
    ]
    assert report["byPeriod"] == [
        row("2026-11", "export", 1, 2, "66000.000", "16250.00"),
        row("2026-11", "import", 3, 4, "43300.500", "336400.50"),
    ]


async def test_a_month_without_declarations_is_empty(engine: AsyncEngine) -> None:
    report = (await ReportService(engine, "KZ").trade(parse_period("2026-10-01", "2026-10-31"))).as_dict()
    assert report == {
        "period": {"from": "2026-10-01", "to": "2026-10-31"},
        "declarations": 0,
        "byChapter": [],
        "byPartner": [],
        "byPeriod": [],
    }


async def test_csv_has_a_row_per_currency(engine: AsyncEngine) -> None:
    lines = trade_csv(await ReportService(engine, "KZ").trade(NOVEMBER)).splitlines()
    assert lines[0] == "breakdown,key,direction,declarations,goods_items,net_mass_kg,currency,value"
    assert lines[1] == "byChapter,02,import,1,1,18000.000,USD,79200.00"
    assert lines[-1] == "byPeriod,2026-11,import,3,4,43300.500,USD,336400.50"
    assert len(lines) == 1 + 4 + 3 + 2
