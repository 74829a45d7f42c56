"""The checker itself, on made-up outcomes: every kind of loss or duplicate it must report (nothing running)."""

from __future__ import annotations

import pytest
from nswfaults.checker import Report, check_decisions, check_queues, check_terminals
from nswfaults.faults import assert_struck
from nswfaults.harness import VoidRun


def test_a_clean_run_has_no_failures() -> None:
    report = Report("clean")
    check_terminals(
        report,
        {"s1", "s2"},
        [("s1", 1, "CLEARED"), ("s2", 1, "CLEARED")],
        {("s1", 1): ["CLEARED"], ("s2", 1): ["CLEARED"]},
    )
    check_decisions(report, [("s1", 1, "customs")], [("s1", 1, "customs", "m1")], {"customs": {"s1.v1.customs.a1"}})
    check_queues(report, {"agency.sanitary.dlq": 2, "nsw.router": 0}, {"agency.sanitary.dlq": 2})
    assert report.failures == []
    assert report.terminal_once == 2 and report.poison_parked == 2


def test_losses_duplicates_and_leftovers_are_each_reported() -> None:
    report = Report("broken")
    check_terminals(
        report,
        {"s1", "s2", "s3"},
        [("s1", 1, "CLEARED"), ("s1", 2, "CLEARED"), ("s2", 1, "HELD")],
        {("s1", 1): ["CLEARED", "CLEARED"]},
    )
    check_decisions(
        report,
        [("s1", 1, "customs"), ("s1", 1, "sanitary")],
        [("s1", 1, "customs", "m1"), ("s1", 1, "customs", "m2")],
        {"customs": {"s1.v1.customs.a1"}},
    )
    check_queues(report, {"nsw.router": 3, "agency.sanitary.dlq": 5}, {"agency.sanitary.dlq": 2})
    assert report.lost == ["s3"]
    assert report.duplicated_terminal == ["s1"]
    assert report.wrong_status == ["s2"]
    assert report.stream_missing == ["s2", "s3"] and report.stream_duplicated == ["s1"]
    assert report.decisions_missing == ["s1/v1/sanitary"]
    assert report.decisions_duplicated == ["s1/v1/customs"]
    assert report.standin_undecided == ["s1/v1/sanitary"]
    assert report.leftover_queues == {"nsw.router": 3, "agency.sanitary.dlq": 5}
    assert len(report.failures) == 9


def test_a_fault_that_struck_nothing_voids_the_run() -> None:
    with pytest.raises(VoidRun, match="VOID run"):
        assert_struck("kill-adapter", {"unacked_before": 0, "broker_redelivered": 4})
    assert_struck("kill-adapter", {"unacked_before": 2, "broker_redelivered": 2})


def test_a_broken_event_chain_is_a_failure() -> None:
    report = Report("tampered")
    report.broken_chains = ["submission s1: event 7 (DECISION) carries no link, though link 3 was due"]
    assert report.failures == [
        "event chains broken: 1 (e.g. ['submission s1: event 7 (DECISION) carries no link, though link 3 was due'])"
    ]
