"""The customs system's work loop in process: answers, scripted faults, resends keep the first assessment."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from singlewindow.adapters.customs import edifact
from singlewindow.adapters.customs.cusdec import build_cusdec, declaration_reference
from singlewindow.adapters.customs.cusres import Outcome, parse_cusres
from singlewindow.adapters.customs.exchange import INBOX, OUTBOX, ExchangeFolder, unique_name
from singlewindow.adapters.customs.risk_profile import PROFILES, parse_profile
from singlewindow.adapters.customs.standin import CustomsStore, CustomsSystem, Script
from singlewindow.platform.specs import Catalog


def laptops() -> tuple[str, str]:
    path = next(p for p in Catalog().get("view-customs").valid_examples if "laptops" in p.name)
    view = json.loads(path.read_text())
    reference = declaration_reference(view["submissionId"], 1)
    cusdec = edifact.write(
        "KZNSW", "KZCUSTOMS", "R1", datetime(2026, 11, 26, tzinfo=UTC), "CUSDEC", build_cusdec(view, reference)
    )
    return reference, cusdec


async def answers(folder: ExchangeFolder) -> list[str]:
    texts = [await folder.text(p) for p in await folder.ready(OUTBOX)]
    for path in await folder.ready(OUTBOX):
        await folder.archive(path)
    return texts


async def test_faults_then_one_stable_answer_and_an_unreadable_declaration_refused(tmp_path: Path) -> None:
    profile = json.loads((PROFILES / "kz-import.json").read_text())
    profile["randomControl"]["share"] = 0
    folder = ExchangeFolder(tmp_path / "exchange")
    folder.prepare()
    store = await CustomsStore.open(tmp_path / "customs.db")
    script = Script(malformed=1, errors=1, duplicate=True, inspection_seconds=0)
    system = CustomsSystem(folder, store, parse_profile(profile), lambda: script)
    try:
        reference, cusdec = laptops()
        outcomes = []
        for _ in range(3):  # sent, then sent again after the garbage and after the error
            await folder.put(INBOX, unique_name("CUSDEC", reference), cusdec)
            await system.step(script)
            outcomes.append(await answers(folder))
        garbage, errors, good = outcomes
        assert len(garbage) == 1 and not garbage[0].startswith("UNA:+.? '\nUNB+UNOW:4+KZCUSTOMS:ZZZ+KZNSW:ZZZ")
        assert [parse_cusres(edifact.read(t, "CUSRES")).temporary for t in errors] == [True, True]
        first = [parse_cusres(edifact.read(t, "CUSRES")) for t in good]
        # Unknown trader (15) + electronics (10) = 25: GREEN; the duplicate repeats the response number.
        assert [(r.outcome, r.response_number) for r in first] == [(Outcome.GREEN, f"{reference}-1")] * 2
        await folder.put(INBOX, unique_name("CUSDEC", "NSWBROKEN1V1"), "UNA:+.? 'garbage")
        await system.step(script)
        (refusal, _) = [parse_cusres(edifact.read(t, "CUSRES")) for t in await answers(folder)]
        assert (refusal.outcome, refusal.declaration, refusal.temporary) == (Outcome.ERROR, "NSWBROKEN1V1", False)
        assert refusal.findings[0].code == "SYN"
    finally:
        await store.close()
