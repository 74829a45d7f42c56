"""A customs system that answers several declarations in one interchange (a functional group of CUSRES):
the adapter decides each one, and archives the file once."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import structlog

from singlewindow.adapters import DecisionDraft
from singlewindow.adapters.customs import CustomsEdifactAdapter
from singlewindow.adapters.customs.exchange import OUTBOX, ExchangeFolder
from singlewindow.adapters.customs.sent import SentRecord

GROUP = Path(__file__).parent / "corpus" / "valid" / "cusres-group-two-answers.edi"


async def test_every_cusres_of_a_group_becomes_its_own_decision(tmp_path: Path) -> None:
    decided: list[tuple[str, int, DecisionDraft]] = []

    async def decide(submission_id: str, version: int, draft: DecisionDraft) -> int:
        decided.append((submission_id, version, draft))
        return len(decided)

    adapter = CustomsEdifactAdapter()
    context: Any = SimpleNamespace(decide=decide, log=structlog.get_logger(), config=SimpleNamespace(max_resends=1))
    adapter.bind(context)
    adapter.folder, adapter.sent = ExchangeFolder(tmp_path), SentRecord(tmp_path)
    adapter.folder.prepare()
    adapter.sent.prepare()
    for reference, submission in (("NSWAAAA1V1", "sub-a"), ("NSWBBBB2V1", "sub-b")):
        await adapter.sent.remember(reference, submission, 1, "UNA:+.? '")
    shutil.copy(GROUP, tmp_path / OUTBOX / "CUSRES_group_1.edi")
    assert await adapter.poll_once() == 1
    assert [(s, v, d.status.value, d.channel and d.channel.value, d.idempotency_key) for s, v, d in decided] == [
        ("sub-a", 1, "ACCEPTED", "GREEN", "cusres:NSWAAAA1V1-1"),
        ("sub-b", 1, "INSPECTION_REQUIRED", "RED", "cusres:NSWBBBB2V1-1"),
    ]
    assert list((tmp_path / OUTBOX).iterdir()) == []
