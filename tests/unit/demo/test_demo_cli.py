"""``nsw demo --json`` in process: every consignment reaches its expected status through the expected
agencies, each decision carrying its agency's own broker user, and the demo says so with exit code 0."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from singlewindow.platform.cli.main import cli

EXPECTED = {
    "apples": ("CLEARED", {"customs", "phytosanitary", "sanitary", "border-guard"}),
    "beef": ("CLEARED", {"customs", "veterinary", "sanitary", "border-guard"}),
    "laptops": ("CLEARED", {"customs", "border-guard"}),
    "sheep": ("REJECTED", {"customs", "veterinary", "border-guard"}),
    "transit": ("CLEARED", {"customs", "phytosanitary", "sanitary", "border-guard"}),
}


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["demo", "--json"])
    assert result.exit_code == 0, result.output
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def by_key(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["key"]: s for s in report["submissions"]}


def test_one_object_with_a_summary_that_says_all_as_expected(report: dict[str, Any]) -> None:
    assert report["mode"] == "embedded"
    assert report["summary"] | {"wall_ms": 0, "slowest_submission_ms": 0} == {
        "submissions": 5,
        "as_expected": 5,
        "ok": True,
        "by_status": {"CLEARED": 4, "REJECTED": 1},
        "wall_ms": 0,
        "slowest_submission_ms": 0,
        "kept": [],
    }


def test_each_consignment_reaches_its_status_through_the_expected_agencies(report: dict[str, Any]) -> None:
    submissions = by_key(report)
    assert list(submissions) == list(EXPECTED)
    for key, (status, agencies) in EXPECTED.items():
        submission = submissions[key]
        assert submission["submission_id"].startswith("s_")
        assert submission["consolidated_status"] == status, key
        assert {r["agency"] for r in submission["recipients"]} == agencies, key
        assert submission["ok"] and submission["problems"] == []
        timings = submission["timings"]
        assert 0 < timings["routed_ms"] <= timings["first_decision_ms"] <= timings["total_ms"], key


def test_cleared_consignments_hold_only_acceptances(report: dict[str, Any]) -> None:
    submissions = by_key(report)
    statuses = {key: {r["agency"]: r["status"] for r in submissions[key]["recipients"]} for key in EXPECTED}
    assert set(statuses["beef"].values()) == set(statuses["laptops"].values()) == {"ACCEPTED"}
    assert statuses["apples"].pop("phytosanitary") == "ACCEPTED_WITH_CONDITIONS"
    assert set(statuses["apples"].values()) == {"ACCEPTED"}
    assert set(statuses["transit"].values()) == {"ACCEPTED"}


def test_the_sheep_are_rejected_by_veterinary_with_its_reason(report: dict[str, Any]) -> None:
    sheep = by_key(report)["sheep"]
    assert {r["agency"]: r["status"] for r in sheep["recipients"]}["veterinary"] == "REJECTED"
    (veterinary,) = [d for d in sheep["decisions"] if d["agency"] == "veterinary"]
    assert veterinary["status"] == "REJECTED"
    assert [r["code"] for r in veterinary["reasons"]] == ["VET-NO-CERT"]
    assert "veterinary certificate" in veterinary["reasons"][0]["text"]


def test_the_transit_is_held_for_a_red_inspection_then_cleared(report: dict[str, Any]) -> None:
    transit = by_key(report)["transit"]
    customs = [d for d in transit["decisions"] if d["agency"] == "customs"]
    assert [(d["sequence"], d["status"], d["channel"]) for d in customs] == [
        (1, "INSPECTION_REQUIRED", "RED"),
        (2, "ACCEPTED", None),
    ]
    history = [s["status"] for s in transit["status_history"]]
    assert history[:3] == ["RECEIVED", "UNDER_REVIEW", "HELD"] and history[-1] == "CLEARED"
    assert customs[0]["at_ms"] < customs[1]["at_ms"] <= transit["timings"]["total_ms"]


def test_every_decision_carries_its_agencys_validated_broker_user(report: dict[str, Any]) -> None:
    decisions = [d for s in report["submissions"] for d in s["decisions"]]
    assert len(decisions) == 4 + 4 + 2 + 3 + 5
    assert all(d["user_id"] == f"nsw-agency-{d['agency']}" for d in decisions)
