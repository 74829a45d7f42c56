"""The customs system's side of issue 12, in process: a cancellation (function 1) withdraws a declaration, a
replacement (5) takes the place of the one it names, and a declaration queried first is assessed once the
declarant's response (11) arrives. Withdrawn and replaced declarations get no answer and no inspection."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from singlewindow.adapters import DecisionDraft, DecisionStatus, Query
from singlewindow.adapters.customs import edifact
from singlewindow.adapters.customs.cusdec import build_cusdec, declaration_reference
from singlewindow.adapters.customs.cusdec_reading import parse_cusdec
from singlewindow.adapters.customs.cusres import CustomsResponse, Outcome, parse_cusres
from singlewindow.adapters.customs.declaration import TraderRecord
from singlewindow.adapters.customs.exchange import INBOX, OUTBOX, ExchangeFolder, unique_name
from singlewindow.adapters.customs.notices import build_answer, build_cancellation, read_header
from singlewindow.adapters.customs.responses import to_action
from singlewindow.adapters.customs.risk_profile import PROFILES, parse_profile
from singlewindow.adapters.customs.standin import CustomsStore, CustomsSystem, Script
from singlewindow.adapters.customs.standin.store import QUERIED, REPLACED, WITHDRAWN
from singlewindow.platform.specs import Catalog

AT = datetime(2026, 11, 26, tzinfo=UTC)


def view(stem: str) -> dict[str, Any]:
    path = next(p for p in Catalog().get("view-customs").valid_examples if stem in p.name)
    document: dict[str, Any] = json.loads(path.read_text())
    return document


def cusdec(stem: str, version: int, replaces: str | None = None) -> tuple[str, str]:
    document = view(stem)
    reference = declaration_reference(document["submissionId"], version)
    segments = build_cusdec(document, reference, replaces)
    return reference, edifact.write("KZNSW", "KZCUSTOMS", "R1", AT, "CUSDEC", segments)


@dataclass
class System:
    folder: ExchangeFolder
    store: CustomsStore
    system: CustomsSystem

    async def put(self, reference: str, text: str) -> None:
        await self.folder.put(INBOX, unique_name("CUSDEC", reference), text)

    async def step(self, script: Script) -> list[CustomsResponse]:
        await self.system.step(script)
        paths = await self.folder.ready(OUTBOX)
        responses = [parse_cusres(edifact.read(await self.folder.text(p), "CUSRES")) for p in paths]
        for path in paths:
            await self.folder.archive(path)
        return responses


@pytest.fixture
async def customs(tmp_path: Path) -> AsyncIterator[System]:
    profile = json.loads((PROFILES / "kz-import.json").read_text())
    profile["randomControl"]["share"] = 0
    folder = ExchangeFolder(tmp_path / "exchange")
    folder.prepare()
    store = await CustomsStore.open(tmp_path / "customs.db")
    await store.load_traders([TraderRecord("120240017788", aeo=False, violations=2)])  # laptops: YELLOW
    try:
        yield System(folder, store, CustomsSystem(folder, store, parse_profile(profile), Script))
    finally:
        await store.close()


def cancellation(reference: str) -> str:
    segments = build_cancellation("929", reference, "6KZ180540012345-LAPTOPS", "cancelled by the declarant")
    return edifact.write("KZNSW", "KZCUSTOMS", "R2", AT, "CUSDEC", segments)


async def test_a_declaration_cancelled_before_it_was_read_is_never_assessed(customs: System) -> None:
    reference, text = cusdec("laptops", 1)
    await customs.put(reference, text)
    await customs.put(reference, cancellation(reference))
    assert await customs.step(Script()) == []
    filed = await customs.store.find(reference)
    assert filed is not None and filed.state == WITHDRAWN
    await customs.put(reference, text)  # the adapter's resend, or a late delivery: still not assessed
    assert await customs.step(Script()) == []


async def test_a_cancelled_declaration_gets_no_inspection_result(customs: System) -> None:
    reference, text = cusdec("laptops", 1)
    await customs.put(reference, text)
    (first,) = await customs.step(Script(inspection_seconds=60))
    assert first.outcome is Outcome.YELLOW
    assert len(await customs.store.due_inspections(datetime.now(UTC) + timedelta(days=1))) == 1
    await customs.put(reference, cancellation(reference))
    assert await customs.step(Script()) == []
    assert await customs.store.due_inspections(datetime.now(UTC) + timedelta(days=1)) == []


async def test_a_replacement_closes_the_declaration_it_names_and_is_assessed_itself(customs: System) -> None:
    old, text = cusdec("laptops", 1)
    await customs.put(old, text)
    (first,) = await customs.step(Script(inspection_seconds=3600))
    assert (first.declaration, first.outcome) == (old, Outcome.YELLOW)
    new, replacement = cusdec("laptops", 2, replaces=old)
    message = edifact.read(replacement, "CUSDEC")
    assert (read_header(message).function, parse_cusdec(message).replaces) == ("5", old)
    await customs.put(new, replacement)
    second, released = await customs.step(Script(inspection_seconds=0))
    assert (second.declaration, second.outcome) == (new, Outcome.YELLOW)
    assert (released.declaration, released.outcome) == (new, Outcome.RELEASED)
    assert (await customs.store.find(old)).state == REPLACED  # type: ignore[union-attr]
    # The old one's inspection (due in an hour) is never reported.
    assert await customs.store.due_inspections(datetime.now(UTC) + timedelta(days=1)) == []


async def test_query_first_then_the_answer_lets_the_system_decide(customs: System) -> None:
    script = Script(query_first=True, query_question="Who is the end user?", query_fields=("/importer",))
    reference, text = cusdec("apples", 1)
    await customs.put(reference, text)
    (query,) = await customs.step(script)
    assert (query.declaration, query.outcome) == (reference, Outcome.QUERY)
    draft = to_action(query)
    assert isinstance(draft, DecisionDraft) and draft.status is DecisionStatus.QUERY and draft.query is not None
    assert draft.query == Query(question="Who is the end user?", fields=("/importer",))
    await customs.put(reference, text)  # sent again (a garbled query): the same query, one decision
    (again,) = await customs.step(script)
    assert again.response_number == query.response_number
    assert (await customs.store.find(reference)).state == QUERIED  # type: ignore[union-attr]
    long_answer = "The end user is the importer itself; contract 2026/44 attached. " * 10
    answer = build_answer("929", reference, query.response_number, "s_1.v1.customs.q1", long_answer)
    await customs.put(reference, edifact.write("KZNSW", "KZCUSTOMS", "R3", AT, "CUSDEC", answer))
    (decided,) = await customs.step(script)
    assert (decided.declaration, decided.outcome) == (reference, Outcome.GREEN)
    filed = await customs.store.find(reference)
    assert filed is not None and filed.answer == long_answer
