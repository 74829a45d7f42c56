"""The officer console over the hub's officer API: the queue, a document opened by its QR payload, claimed,
decided and its border arrival recorded, each action in the history with the officer; the dashboard with
the run's figures and its CSV; a trader reaches neither."""

from __future__ import annotations

import re
from typing import Any

from singlewindow.platform.web.console.forms import coded_lines, decision_from_form


async def test_an_officer_opens_claims_and_decides(console: Any) -> None:
    csrf = await console.sign_in("bg-officer")
    queue = (await console.portal.get("/console")).text
    assert f'<a href="/console/items/{console.ticket}">{console.ticket}</a>' in queue
    opened = await console.portal.get("/console/open", params={"payload": f"NSW1|{console.submission_id}|CLEARED"})
    assert opened.status_code == 303 and opened.headers["location"] == f"/console/items/{console.ticket}"
    item = f"/console/items/{console.ticket}"
    assert "goodsItems" not in (await console.portal.get(item)).text  # the border guard's view only

    assert (await console.portal.post(f"{item}/claim", data={"csrf": csrf})).status_code == 303
    assert "claimed by you until" in (await console.portal.get(item)).text
    arrival = {"csrf": csrf, "eventType": "ARRIVAL", "borderCrossingPoint": "KZNZH", "occurredAt": "2026-11-27T04:41"}
    assert (await console.portal.post(f"{item}/border-event", data=arrival)).status_code == 303
    decision = {"csrf": csrf, "status": "INSPECTION_REQUIRED", "channel": "RED", "reasons": "XRAY: scan the trailer"}
    assert (await console.portal.post(f"{item}/decide", data=decision)).status_code == 303

    page = (await console.portal.get(item)).text
    assert "ARRIVAL · KZNZH · 2026-11-27T04:41:00+00:00" in page
    history = page[page.index('id="history"') :]
    kinds = re.findall(r"<td>(OFFICER_\w+|BORDER_EVENT)</td><td>you \(bg-officer\)</td>", history)
    assert kinds == ["OFFICER_CLAIMED", "BORDER_EVENT", "OFFICER_DECIDED"]
    assert "Nothing waits." in (await console.portal.get("/console")).text


async def test_a_bad_decision_is_the_hubs_refusal_and_a_stale_form_is_refused(console: Any) -> None:
    csrf = await console.sign_in("bg-officer")
    item = f"/console/items/{console.ticket}"
    await console.portal.post(f"{item}/claim", data={"csrf": csrf})
    refused = await console.portal.post(f"{item}/decide", data={"csrf": csrf, "status": "ACCEPTED", "channel": "RED"})
    assert refused.status_code == 422 and "channels YELLOW and RED go only with INSPECTION_REQUIRED" in refused.text
    stale = await console.portal.post(f"{item}/decide", data={"csrf": "forged", "status": "ACCEPTED"})
    assert stale.status_code == 403
    missing = await console.portal.get("/console/open", params={"payload": "NO-SUCH-UCR"})
    assert "No open document of your agency matches this code." in missing.text


async def test_the_dashboard_shows_the_runs_figures(console: Any) -> None:
    await console.sign_in("operator")
    page = (await console.portal.get("/dashboard")).text
    assert '<dd data-figure="consignments">1</dd>' in page
    assert '<span data-figure="declarations">1</span>' in page
    assert '<svg class="chart" role="img"' in page
    csv = await console.portal.get("/dashboard/trade.csv", params={"from": "2020-01-01"})
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv.text.splitlines()[1] == "byChapter,08,import,1,1,20000.000,USD,16000.00"
    bad = await console.portal.get("/dashboard", params={"from": "2026-02-30"})
    assert bad.status_code == 422 and "/from: day is out of range for month" in bad.text


async def test_a_trader_reaches_neither_page(console: Any) -> None:
    await console.sign_in("trader")
    assert (await console.portal.get("/dashboard")).status_code == 404
    assert (await console.portal.get("/console")).status_code == 404
    assert (await console.portal.get(f"/console/items/{console.ticket}")).status_code == 404


def test_decision_forms_become_the_apis_decisions() -> None:
    assert coded_lines("SEAL-1: keep the seal\n\nno code here", "CONDITION") == [
        {"code": "SEAL-1", "text": "keep the seal"},
        {"code": "CONDITION", "text": "no code here"},
    ]
    assert decision_from_form(7, {"status": "QUERY", "question": " Which lane? "}, "S. Tulegenov") == {
        "ticket": 7,
        "status": "QUERY",
        "officerName": "S. Tulegenov",
        "query": {"question": "Which lane?"},
    }
