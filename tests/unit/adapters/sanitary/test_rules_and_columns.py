"""The legacy system's rules and the adapter's reading of its decision columns."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from singlewindow.adapters import DecisionDraft, DecisionStatus
from singlewindow.adapters.sanitary.columns import AskAgain, read_decision
from singlewindow.adapters.sanitary.standin.rules import decide
from singlewindow.platform.specs import Catalog

TODAY = date(2026, 11, 27)


def view(stem: str) -> dict[str, Any]:
    path = next(p for p in Catalog().get("view-sanitary").valid_examples if stem in p.name)
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def infant_food(permit: str | None = None) -> dict[str, Any]:
    document = copy.deepcopy(view("apples"))
    item = document["goodsItems"][0]
    item["commodityCode"] = {"hsCode": "190110", "nationalCode": "1901100000", "nationalCodeList": "KZ-TNVED"}
    item["supportingDocuments"] = (
        [{"type": "SANITARY_PERMIT", "number": permit, "issuerCountry": "KZ"}] if permit else []
    )
    return document


def test_plant_food_is_accepted_and_meat_is_sampled() -> None:
    assert decide(view("apples"), {}, TODAY).status == "ACCEPTED"
    beef = decide(view("beef"), {}, TODAY)
    assert beef.status == "ACCEPTED_WITH_CONDITIONS" and beef.conditions[0].startswith("LAB-SAMPLING: ")


def test_goods_needing_state_registration_need_a_valid_permit() -> None:
    assert decide(infant_food(), {}, TODAY).status == "REJECTED"
    assert decide(infant_food("P-1"), {"P-1": date(2027, 1, 1)}, TODAY).status == "ACCEPTED"
    expired = decide(infant_food("P-1"), {"P-1": date(2026, 1, 1)}, TODAY)
    assert expired.status == "REJECTED" and "unknown or expired" in (expired.reason or "")


def row(**columns: Any) -> SimpleNamespace:
    base = {"status": None, "reason": None, "conditions": None, "officer": "KZ-SES-0107",
            "decided_at": datetime(2026, 11, 27, 10, 0)}  # fmt: skip
    return SimpleNamespace(**{**base, **columns})


def test_decision_columns_become_a_decision() -> None:
    draft = read_decision(row(status="ACCEPTED_WITH_CONDITIONS", conditions="LAB-SAMPLING: take samples"))
    assert isinstance(draft, DecisionDraft) and draft.status is DecisionStatus.ACCEPTED_WITH_CONDITIONS
    assert draft.conditions[0].code == "LAB-SAMPLING" and draft.decided_at == datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    rejected = read_decision(row(status="REJECTED", reason="no SGR"))
    assert isinstance(rejected, DecisionDraft) and rejected.reasons[0].text == "no SGR"


@pytest.mark.parametrize(
    "columns",
    [
        {"status": "ACC\x00EPT?ED##"},
        {"status": "ERROR", "reason": "timeout"},
        {"status": "ACCEPTED_WITH_CONDITIONS", "conditions": "\x00\x01"},
        {"status": "REJECTED"},
        {"status": "ACCEPTED", "conditions": "LAB: conditions on a plain acceptance"},
    ],
)
def test_garbled_or_erroring_columns_are_asked_again(columns: dict[str, Any]) -> None:
    assert isinstance(read_decision(row(**columns)), AskAgain)
