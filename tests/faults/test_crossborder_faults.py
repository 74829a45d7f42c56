"""Cross-border faults (issue 13): two single windows as separate processes, linked by real Shovels.

Each run streams KZ control results bound for China, strikes once (the link cut, CN's hub killed, CN's key
rotated), heals, drains and checks that every envelope was receipted once and applied once in CN, and that
CN's answer reached every KZ submission (``nswfaults/crossborder.py``; docs/reliability.md). A fault that
struck nothing voids the run: it fails.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from nswfaults.crossborder import CrossBorderSystem, assert_struck, run_crossborder_fault, start_system
from nswfaults.harness import Params
from nswfaults.services import PrivatePostgres, PrivateRabbit

pytestmark = pytest.mark.faults


@pytest.fixture(scope="module")
def crossborder_system(private_rabbit: PrivateRabbit, private_postgres: PrivatePostgres) -> Iterator[CrossBorderSystem]:
    root = Path(tempfile.mkdtemp(prefix="nswfault-xb-"))
    system = start_system(root, private_rabbit, private_postgres)
    print(f"cross-border system up: {system.timings} s")
    try:
        yield system
    finally:
        system.stop()
        if os.environ.get("NSW_FAULT_KEEP"):
            print(f"cross-border fault files kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


async def test_every_envelope_receipted_and_applied_once(
    crossborder_fault: str, crossborder_system: CrossBorderSystem, fault_params: Params
) -> None:
    """``crossborder_fault`` is parametrized by the conftest: ``link-cut``, or all three with ``--long``."""
    report = await run_crossborder_fault(crossborder_system, crossborder_fault, fault_params)
    print(report.summary())
    assert_struck(crossborder_fault, report.evidence)
    assert report.evidence["drained"], f"not drained in {fault_params.drain_seconds} s: {report.summary()}"
    assert report.failures == [], report.summary()
    assert report.accepted > 0 and report.terminal_once == report.accepted == report.envelopes
