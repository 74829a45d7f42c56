"""Faults injected one at a time into the running hub, adapters, stand-ins, broker and database.

Each run streams submissions, strikes once while work is in flight, heals, drains and checks that nothing
was lost or applied twice (see docs/reliability.md). A fault that struck nothing voids the run: it fails.
"""

from __future__ import annotations

import pytest
from nswfaults.faults import FAULTS, assert_struck
from nswfaults.harness import Params, run_fault
from nswfaults.processes import System

pytestmark = pytest.mark.faults


async def test_nothing_lost_or_applied_twice(fault_name: str, fault_system: System, fault_params: Params) -> None:
    """``fault_name`` is parametrized by the conftest: the short CI set, or every fault with ``--long``."""
    name = fault_name
    report = await run_fault(fault_system, name, FAULTS[name], fault_params)
    print(report.summary())
    assert_struck(name, report.evidence)
    assert report.evidence["drained"], f"not drained in {fault_params.drain_seconds} s: {report.summary()}"
    assert report.failures == [], report.summary()
    assert report.accepted > 0 and report.terminal_once == report.accepted
