"""Time-release figures over the hand-made history of conftest.py, each worked out by hand there."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.errors import InvalidInput
from singlewindow.platform.reports import Period, ReportService, parse_period, time_release_csv

NOVEMBER = parse_period("2026-11-01", "2026-11-30")


def d(count: int, median: float | None, p90: float | None) -> dict[str, Any]:
    return {"count": count, "medianSeconds": median, "p90Seconds": p90}


async def november(engine: AsyncEngine) -> dict[str, Any]:
    return (await ReportService(engine, "KZ").time_release(NOVEMBER)).as_dict()


async def test_overall_segments_follow_the_study_method(engine: AsyncEngine) -> None:
    report = await november(engine)
    assert report["period"] == {"from": "2026-11-01", "to": "2026-11-30"}
    counts = [report[k] for k in ("consignments", "released", "arrived", "exited", "preArrivalLodgements")]
    assert counts == [5, 3, 3, 2, 1]
    assert report["segments"] == {
        "arrivalToLodgement": d(3, 600.0, 1080.0),  # 0 (lodged before arrival), 1200, 600
        "lodgementToRelease": d(3, 7200.0, 10080.0),  # 5400, 10800, 7200
        "arrivalToRelease": d(3, 7800.0, 11160.0),  # 3600, 12000, 7800
        "releaseToExit": d(2, 3600.0, 3600.0),
        "arrivalToExit": d(2, 9300.0, 10980.0),  # 7200, 11400
    }


async def test_each_agency_is_timed_to_its_own_first_release(engine: AsyncEngine) -> None:
    assert (await november(engine))["byAgency"] == [
        {
            "key": "customs",
            "consignments": 3,
            "lodgementToRelease": d(3, 7200.0, 10080.0),  # 3600, 10800, 7200
            "arrivalToRelease": d(3, 7800.0, 11160.0),  # 1800, 12000, 7800
        },
        {"key": "phytosanitary", "consignments": 1, "lodgementToRelease": d(1, 5400.0, 5400.0),
         "arrivalToRelease": d(1, 3600.0, 3600.0)},
        {"key": "veterinary", "consignments": 1, "lodgementToRelease": d(1, 7200.0, 7200.0),
         "arrivalToRelease": d(1, 8400.0, 8400.0)},
    ]  # fmt: skip


async def test_crossing_points_and_days(engine: AsyncEngine) -> None:
    report = await november(engine)
    assert report["byCrossingPoint"] == [
        {"key": "KZDOS", "consignments": 1, "arrivalToRelease": d(1, 7800.0, 7800.0),
         "arrivalToExit": d(1, 11400.0, 11400.0)},
        {"key": "KZNZH", "consignments": 2, "arrivalToRelease": d(2, 7800.0, 11160.0),
         "arrivalToExit": d(1, 7200.0, 7200.0)},
    ]  # fmt: skip
    assert report["byDay"] == [
        {"key": "2026-11-27", "consignments": 2, "lodgementToRelease": d(2, 8100.0, 10260.0),
         "arrivalToRelease": d(2, 7800.0, 11160.0)},
        {"key": "2026-11-28", "consignments": 3, "lodgementToRelease": d(1, 7200.0, 7200.0),
         "arrivalToRelease": d(1, 7800.0, 7800.0)},
    ]  # fmt: skip


async def test_channels_take_the_strictest_applied_decision(engine: AsyncEngine) -> None:
    assert (await november(engine))["channels"] == {"GREEN": 1, "YELLOW": 1, "RED": 1}
    everything = (await ReportService(engine, "KZ").time_release(Period())).as_dict()
    assert everything["consignments"] == 6
    assert everything["channels"] == {"GREEN": 2, "YELLOW": 1, "RED": 1}  # S5's RED was not applied


async def test_backlog_is_what_waits_now(engine: AsyncEngine) -> None:
    empty = {"awaitingDecision": 0, "held": 0, "overdue": 0, "oldestWaitingSince": None,
             "officerQueueWaiting": 0, "officerQueueClaimed": 0}  # fmt: skip
    assert (await november(engine))["backlog"] == [
        {**empty, "agency": "border-guard", "officerQueueClaimed": 1},
        {**empty, "agency": "customs", "awaitingDecision": 1, "oldestWaitingSince": "2026-11-28T12:01:00.000Z",
         "officerQueueWaiting": 1},
        {**empty, "agency": "veterinary", "held": 1},
    ]  # fmt: skip


async def test_csv_is_one_long_table(engine: AsyncEngine) -> None:
    text = time_release_csv(await ReportService(engine, "KZ").time_release(NOVEMBER))
    lines = text.splitlines()
    assert lines[0] == "section,key,measure,count,median_seconds,p90_seconds"
    assert lines[1] == "overall,,arrivalToLodgement,3,600.0,1080.0"
    assert "agency,customs,arrivalToRelease,3,7800.0,11160.0" in lines
    assert "crossing_point,KZNZH,arrivalToExit,1,7200.0,7200.0" in lines
    assert "channel,RED,consignments,1,," in lines
    assert "backlog,customs,officerQueueWaiting,1,," in lines
    assert len(lines) == 1 + 5 + 6 + 4 + 4 + 3 + 3 * 5


@pytest.mark.parametrize(
    ("start", "end", "path", "message"),
    [
        ("2026-13-01", None, "/from", "from is not a calendar date"),
        ("01.11.2026", None, "/from", "from must be a date YYYY-MM-DD"),
        (None, "\uff12\uff10\uff12\uff16-11-30", "/to", "to must be a date YYYY-MM-DD"),
        ("2026-11-30", "2026-11-01", "/to", "the period ends before it starts"),
    ],
)
def test_bad_periods_are_pointed_at(start: str | None, end: str | None, path: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_period(start, end)
    assert refused.value.message == message
    assert [p.path for p in refused.value.problems] == [path]
