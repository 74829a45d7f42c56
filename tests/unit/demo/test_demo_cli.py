"""The demo's JSON with the real adapters: every consignment reaches its status through the expected
agencies, each decision from its agency system and under its agency's own broker user, a query answered by
the trader, a cancellation every agency is told of, each timeline in time order; and ``nsw demo
--auto-deciders`` in process (the fast mode) says the same with exit code 0, its progress as it goes."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from click.testing import CliRunner

from singlewindow.platform.cli.main import cli
from singlewindow.platform.demo import DemoResult, render_json

EXPECTED = {
    "apples": ("CLEARED", {"customs": "ACCEPTED", "phytosanitary": "ACCEPTED", "sanitary": "ACCEPTED",
                           "border-guard": "ACCEPTED"}),
    "beef": ("CLEARED", {"customs": "ACCEPTED", "veterinary": "ACCEPTED", "sanitary": "ACCEPTED_WITH_CONDITIONS",
                         "border-guard": "ACCEPTED"}),
    "laptops": ("CLEARED", {"customs": "ACCEPTED", "border-guard": "ACCEPTED"}),
    "sheep": ("REJECTED", {"customs": "ACCEPTED", "veterinary": "REJECTED", "border-guard": "ACCEPTED"}),
    "transit": ("CLEARED", {"customs": "ACCEPTED", "phytosanitary": "ACCEPTED", "sanitary": "ACCEPTED",
                            "border-guard": "ACCEPTED"}),
    "query": ("CLEARED", {"customs": "ACCEPTED", "veterinary": "ACCEPTED", "sanitary": "ACCEPTED_WITH_CONDITIONS",
                          "border-guard": "ACCEPTED"}),
    "cancelled": ("CANCELLED", {"customs": "ACCEPTED", "veterinary": "ACCEPTED",
                                "sanitary": "ACCEPTED_WITH_CONDITIONS", "border-guard": "INSPECTION_REQUIRED"}),
}  # fmt: skip
SOURCES = {
    "customs": "EDIFACT CUSRES",
    "veterinary": "CHED webhook",
    "sanitary": "shared table",
    "phytosanitary": "ePhyto",
    "border-guard": "officer",
}


@pytest.fixture(scope="module")
def report(real_demo: DemoResult) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(json.dumps(render_json(real_demo)))
    return parsed


def by_key(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["key"]: s for s in report["submissions"]}


def test_one_object_with_a_summary_that_says_all_as_expected(report: dict[str, Any]) -> None:
    assert report["mode"] == "embedded"
    assert report["agencies"] == SOURCES
    assert report["summary"] | {"wall_ms": 0, "slowest_submission_ms": 0} == {
        "submissions": 7,
        "as_expected": 7,
        "ok": True,
        "by_status": {"CLEARED": 5, "REJECTED": 1, "CANCELLED": 1},
        "wall_ms": 0,
        "slowest_submission_ms": 0,
        "kept": [],
    }


def test_each_consignment_reaches_its_status_through_the_expected_agencies(report: dict[str, Any]) -> None:
    submissions = by_key(report)
    assert list(submissions) == list(EXPECTED)
    for key, (status, recipients) in EXPECTED.items():
        submission = submissions[key]
        assert submission["submission_id"].startswith("s_")
        assert submission["consolidated_status"] == status, key
        statuses = {r["agency"]: r["status"] for r in submission["recipients"]}
        if status == "REJECTED":  # a decision after the final status is kept but not applied: any may be late
            late = {a: s for a, s in statuses.items() if s in ("PENDING", "DELIVERED")}
            statuses |= {a: recipients[a] for a in late}
        assert statuses == recipients, key
        assert submission["ok"] and submission["problems"] == []
        timings = submission["timings"]
        assert 0 < timings["routed_ms"] <= timings["first_decision_ms"] <= timings["total_ms"], key


def test_the_sheep_are_rejected_by_veterinary_with_the_ched_reason(report: dict[str, Any]) -> None:
    sheep = by_key(report)["sheep"]
    (veterinary,) = [d for d in sheep["decisions"] if d["agency"] == "veterinary"]
    assert veterinary["status"] == "REJECTED" and veterinary["officer"] == "Dr. Aidos Nurpeisov"
    assert [r["code"] for r in veterinary["reasons"]] == ["VET-R1"]
    assert veterinary["reasons"][0]["text"].startswith("No veterinary certificate of the exporting country for: Live")


def test_the_transit_is_held_for_a_red_inspection_then_released(report: dict[str, Any]) -> None:
    transit = by_key(report)["transit"]
    customs = [d for d in transit["decisions"] if d["agency"] == "customs"]
    assert [(d["sequence"], d["status"], d["channel"], d["officer"]) for d in customs] == [
        (1, "INSPECTION_REQUIRED", "RED", "RISK-ENGINE"),
        (2, "ACCEPTED", None, "KZ-INSP-0042"),
    ]
    assert [r["code"] for r in customs[0]["reasons"]] == ["HS-TEXTILE-TIR"]
    history = [s["status"] for s in transit["status_history"]]
    assert history[:3] == ["RECEIVED", "UNDER_REVIEW", "HELD"] and history[-1] == "CLEARED"
    assert customs[0]["at_ms"] < customs[1]["at_ms"] <= transit["timings"]["total_ms"]


def test_decisions_come_from_the_agency_systems(report: dict[str, Any]) -> None:
    submissions = by_key(report)
    (phyto,) = [d for d in submissions["apples"]["decisions"] if d["agency"] == "phytosanitary"]
    assert phyto["status"] == "ACCEPTED" and phyto["officer"].startswith("Documentary check")
    (sanitary,) = [d for d in submissions["beef"]["decisions"] if d["agency"] == "sanitary"]
    assert [c["code"] for c in sanitary["conditions"]] == ["LAB-SAMPLING"]
    officers = {d["officer"] for s in report["submissions"] for d in s["decisions"] if d["agency"] == "border-guard"}
    assert officers == {"S. Tulegenov"}


def test_every_decision_carries_its_agencys_validated_broker_user(report: dict[str, Any]) -> None:
    decisions = [d for s in report["submissions"] for d in s["decisions"]]
    assert len(decisions) == 4 + 4 + 2 + 3 + 5 + 5 + 4
    assert all(d["user_id"] == f"nsw-agency-{d['agency']}" for d in decisions)


def test_every_timeline_is_in_time_order(report: dict[str, Any]) -> None:
    for submission in report["submissions"]:
        times = [d["at_ms"] for d in submission["decisions"]]
        assert times == sorted(times), submission["key"]
        history = [s["at_ms"] for s in submission["status_history"]]
        assert history == sorted(history), submission["key"]


def test_the_border_guard_asks_and_the_traders_answer_clears_the_consignment(report: dict[str, Any]) -> None:
    query = by_key(report)["query"]
    border_guard = [(d["sequence"], d["status"]) for d in query["decisions"] if d["agency"] == "border-guard"]
    assert border_guard == [(1, "QUERY"), (2, "ACCEPTED")]
    (answered,) = query["trader_actions"]
    assert answered["kind"] == "answered" and answered["recipient"] == "border-guard"
    asked, accepted = (d["at_ms"] for d in query["decisions"] if d["agency"] == "border-guard")
    assert asked < answered["at_ms"] < accepted <= query["timings"]["total_ms"]
    history = [s["status"] for s in query["status_history"]]
    assert "HELD" in history and history[-1] == "CLEARED"


def test_the_trader_cancels_mid_way_and_every_agency_is_told(report: dict[str, Any]) -> None:
    cancelled = by_key(report)["cancelled"]
    assert cancelled["consolidated_status"] == "CANCELLED"
    assert [a["kind"] for a in cancelled["trader_actions"]] == ["cancelled"]
    assert cancelled["told"] == ["border-guard", "customs", "sanitary", "veterinary"]
    held = [s["status"] for s in cancelled["status_history"]][-2:]
    assert held == ["HELD", "CANCELLED"]  # mid-way: the border guard was still inspecting
    assert not [d for d in cancelled["decisions"] if d["after_terminal"]]  # the agencies stopped working on it


def test_the_auto_decider_mode_through_the_cli() -> None:
    result = CliRunner().invoke(cli, ["demo", "--auto-deciders", "--json"])
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.stdout)
    assert set(report["agencies"].values()) == {"auto-decider"}
    statuses = {s["key"]: s["consolidated_status"] for s in report["submissions"]}
    assert statuses == {key: status for key, (status, _) in EXPECTED.items()}
    assert report["summary"]["ok"] is True and report["workdir"]
    cancelled = next(s for s in report["submissions"] if s["key"] == "cancelled")
    # an auto-decider told of the cancellation decides nothing more (it used to answer every notice)
    assert not [d for d in cancelled["decisions"] if d["after_terminal"]]
    assert "decided" in result.stderr  # --json: the progress lines go to stderr, stdout stays one object


def test_the_demo_shows_progress_before_its_report() -> None:
    result = CliRunner().invoke(cli, ["demo", "--auto-deciders"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    report_starts = next(i for i, line in enumerate(lines) if line.startswith("nsw demo: 7 consignments"))
    progress = lines[:report_starts]
    assert progress[0].startswith("submitted [1/7 apples] ")
    assert any(re.search(r"\[6/7 query\] +the trader answered border-guard's query", line) for line in progress)
    assert any(re.search(r"\[7/7 cancelled\] +the trader cancelled", line) for line in progress)
    assert any(re.search(r"\[4/7 sheep\] +veterinary decided REJECTED", line) for line in progress)
