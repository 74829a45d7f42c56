"""The worked example end to end on the embedded hub: hand-over, late decisions by polling, idempotency."""

from __future__ import annotations

import asyncio
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


async def test_a_decision_file_read_again_changes_nothing_and_a_revision_follows(
    adapter_harness: Any, tmp_path: Path
) -> None:
    adapter = EchoFileAdapter()
    harness = await adapter_harness(adapter, config=config(tmp_path), others=None)
    submission = await harness.submit("apples")
    await harness.wait_recipient(submission, "DELIVERED")
    (pending,) = await harness.runtime.pending()
    inspect = {
        "status": "INSPECTION_REQUIRED",
        "officer": {"id": "SES-7"},
        "reasons": [{"code": "LAB", "text": "Samples taken"}],
    }
    drop_decision(tmp_path, pending.reference, "0001", inspect)
    await harness.wait_recipient(submission, "INSPECTION_REQUIRED")
    # A crash between decide() and moving the file: the same file is read again on restart.
    done = tmp_path / "decisions" / "done" / f"{pending.reference.removesuffix('.json')}--0001.json"
    done.rename(tmp_path / "decisions" / done.name)
    assert await adapter.poll_once() == 1
    assert [d["decisionSequence"] for d in await harness.decisions(submission)] == [1]

    drop_decision(tmp_path, pending.reference, "0002", {"status": "ACCEPTED", "officer": {"id": "SES-7"}})
    await harness.wait_recipient(submission, "ACCEPTED")
    assert [d["status"] for d in await harness.decisions(submission)] == ["INSPECTION_REQUIRED", "ACCEPTED"]
    assert [d["decisionSequence"] for d in await harness.decisions(submission)] == [1, 2]


async def test_an_unreadable_decision_file_is_set_aside(adapter_harness: Any, tmp_path: Path) -> None:
    adapter = EchoFileAdapter()
    harness = await adapter_harness(adapter, config=config(tmp_path), others=None)
    submission = await harness.submit("apples")
    await harness.wait_recipient(submission, "DELIVERED")
    (pending,) = await harness.runtime.pending()
    drop_decision(tmp_path, pending.reference, "bad", {"status": "REJECTED", "officer": {"id": "SES-7"}})  # no reasons
    await harness.until(lambda: asyncio.to_thread(_has_files, tmp_path / "decisions" / "invalid"))
    assert await harness.decisions(submission) == []
    assert await harness.recipient_status(submission) == "DELIVERED"


def _has_files(path: Path) -> bool:
    return path.exists() and any(path.iterdir())


async def test_the_agency_system_refuses_a_document_without_a_field_it_needs(
    adapter_harness: Any, tmp_path: Path
) -> None:
    needs = ["/consignee/taxId"]
    harness = await adapter_harness(EchoFileAdapter(), config=config(tmp_path, required_fields=needs), others=None)
    submission = await harness.submit("apples")
    await harness.wait_recipient(submission, "DELIVERY_FAILED")
    assert list((tmp_path / "outbox").iterdir()) == []


async def test_a_missing_exchange_folder_is_an_unavailable_agency(adapter_harness: Any, tmp_path: Path) -> None:
    settings = config(tmp_path)
    settings["outbox_dir"] = tmp_path / "unmounted-share"
    adapter = EchoFileAdapter()
    harness = await adapter_harness(adapter, config=settings, others=None)
    assert await adapter.health() is False
    submission = await harness.submit("apples")

    async def retried() -> bool:
        return harness.runtime.breaker.failures >= 1

    await harness.until(retried)
    assert await harness.recipient_status(submission) == "PENDING"
