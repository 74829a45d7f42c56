"""``GET /v1/reports/...``: the figures for operators, officers and agencies; 403 for traders; bad
parameters pointed at; CSV as a download."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.mark.parametrize(("who", "status"), [("operator", 200), ("vet-officer", 200), ("bg-adapter", 200),
                                             ("trader", 403)])  # fmt: skip
async def test_who_may_read_the_figures(env: Any, who: str, status: int) -> None:
    answer = await env.http.get("/v1/reports/time-release", headers=env.auth(who))
    assert answer.status_code == status, answer.text
    assert (await env.http.get("/v1/reports/trade", headers=env.auth(who))).status_code == status


async def test_a_submission_is_counted_in_both_reports(env: Any, example: Callable[[str], dict[str, Any]]) -> None:
    await env.submit(example("apples"))
    trs = (await env.http.get("/v1/reports/time-release", headers=env.auth("operator"))).json()
    assert (trs["consignments"], trs["released"], trs["arrived"]) == (1, 0, 0)
    trade = (await env.http.get("/v1/reports/trade", headers=env.auth("operator"))).json()
    assert trade["byChapter"] == [
        {"key": "08", "direction": "import", "declarations": 1, "goodsItems": 1, "netMassKg": "20000.000",
         "statisticalValue": {"USD": "16000.00"}},
    ]  # fmt: skip
    as_csv = await env.http.get("/v1/reports/trade", params={"format": "csv"}, headers=env.auth("operator"))
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert as_csv.headers["content-disposition"] == 'attachment; filename="trade.csv"'
    assert as_csv.text.splitlines()[1] == "byChapter,08,import,1,1,20000.000,USD,16000.00"


@pytest.mark.parametrize(
    ("params", "pointer"),
    [({"format": "xml"}, "/format"), ({"from": "2026-02-30"}, "/from"), ({"from": "2026-11-02", "to": "2026-11-01"},
                                                                         "/to")],
)  # fmt: skip
async def test_bad_parameters_are_422_with_a_pointer(env: Any, params: dict[str, str], pointer: str) -> None:
    answer = await env.http.get("/v1/reports/time-release", params=params, headers=env.auth("operator"))
    assert answer.status_code == 422
    assert [p["path"] for p in answer.json()["problems"]] == [pointer]
