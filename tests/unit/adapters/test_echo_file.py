"""The worked example end to end on the embedded hub: hand-over, late decisions by polling, idempotency."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from singlewindow.adapters.examples.echo_file import EchoFileAdapter
from singlewindow.platform.aggregation import Consolidated


def config(tmp_path: Path, **extra: Any) -> dict[str, Any]:
    (tmp_path / "outbox").mkdir(exist_ok=True)
    return {"outbox_dir": tmp_path / "outbox", "decisions_dir": tmp_path / "decisions", "poll_seconds": 0.05, **extra}


def drop_decision(tmp_path: Path, reference: str, name: str, decision: dict[str, Any]) -> None:
    stem = reference.removesuffix(".json")
    (tmp_path / "decisions" / f"{stem}--{name}.json").write_text(json.dumps(decision))


async def test_a_late_decision_file_clears_the_submission(adapter_harness: Any, tmp_path: Path) -> None:
    harness = await adapter_harness(EchoFileAdapter(), config=config(tmp_path))
    submission = await harness.submit("apples")
    await harness.wait_recipient(submission, "DELIVERED")
    (pending,) = await harness.runtime.pending()
    handed = json.loads((tmp_path / "outbox" / pending.reference).read_text())
    assert handed["submissionId"] == submission and handed["recipient"] == "sanitary"

    drop_decision(tmp_path, pending.reference, "0001", {"status": "ACCEPTED", "officer": {"id": "SES-7"}})
    final = await harness.wait_for(submission, lambda view: view.terminal)
    assert final.status is Consolidated.CLEARED
    (decision,) = await harness.decisions(submission)
    assert (decision["agency"], decision["decisionSequence"], decision["officer"]) == ("sanitary", 1, {"id": "SES-7"})
    assert await harness.runtime.pending() == []
    assert (tmp_path / "decisions" / "done" / f"{pending.reference.removesuffix('.json')}--0001.json").exists()


async def test_matching_goods_are_accepted_at_once(adapter_harness: Any, tmp_path: Path) -> None:
    harness = await adapter_harness(EchoFileAdapter(), config=config(tmp_path, accept_at_once_hs_prefixes=["08"]))
    submission = await harness.submit("apples")
    final = await harness.wait_for(submission, lambda view: view.terminal)
    assert final.status is Consolidated.CLEARED
    (decision,) = await harness.decisions(submission)
    assert decision["status"] == "ACCEPTED" and decision["officer"]["id"] == "auto"
    assert len(await harness.reports(submission)) == 1
