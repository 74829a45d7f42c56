"""A query names the fields it is about (agency-decision ``query.fields``), not a suffix of its text."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from singlewindow.adapters import DecisionDraft, DecisionStatus, Officer, Query
from singlewindow.adapters.sdk.mapping import decision_document
from singlewindow.platform.specs import Catalog, DocumentValidator

OFFICER = Officer(id="VET-014")
AT = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def test_the_fields_travel_in_the_decision_document_which_the_spec_accepts() -> None:
    query = Query(question="Net weight?", fields=("/goodsItems/0/netMassKg", "/goodsItems/0/supporting~1Documents"))
    draft = DecisionDraft(status=DecisionStatus.QUERY, query=query, officer=OFFICER)
    document = decision_document("veterinary", "s_1", 1, "UCR1", 1, draft, AT)
    assert document["query"] == {
        "question": "Net weight?",
        "fields": ["/goodsItems/0/netMassKg", "/goodsItems/0/supporting~1Documents"],
    }
    assert DocumentValidator(Catalog()).validate("agency-decision", document) == []


def test_a_query_without_fields_has_none_in_the_document() -> None:
    draft = DecisionDraft(status=DecisionStatus.QUERY, query=Query(question="Origin?"), officer=OFFICER)
    assert decision_document("customs", "s_1", 1, "UCR1", 1, draft, AT)["query"] == {"question": "Origin?"}


@pytest.mark.parametrize(
    "pointer", ["goodsItems/0", "goodsItems.0.netMassKg", "/", "", "/goods~2Items", "/a~", "/" + "x" * 1000]
)
def test_a_field_that_is_not_a_json_pointer_into_the_view_is_refused(pointer: str) -> None:
    with pytest.raises(ValidationError):
        Query(question="Which?", fields=(pointer,))


def test_at_most_fifty_fields() -> None:
    Query(question="Which?", fields=tuple(f"/goodsItems/{i}" for i in range(50)))
    with pytest.raises(ValidationError):
        Query(question="Which?", fields=tuple(f"/goodsItems/{i}" for i in range(51)))


def test_a_query_without_fields_keeps_the_content_key_it_had_before_fields_existed() -> None:
    draft = DecisionDraft(status=DecisionStatus.QUERY, query=Query(question="Origin?"), officer=OFFICER)
    before = {  # DecisionDraft.model_dump before query.fields existed
        "status": "QUERY", "channel": None, "conditions": [], "reasons": [],
        "query": {"question": "Origin?", "respond_by": None},
        "officer": {"id": "VET-014", "name": None}, "references": [],
    }  # fmt: skip
    digest = hashlib.sha256(json.dumps(before, sort_keys=True).encode()).hexdigest()
    assert draft.key() == f"content:{digest[:40]}"
    named = DecisionDraft(
        status=DecisionStatus.QUERY, query=Query(question="Origin?", fields=("/goodsItems/0",)), officer=OFFICER
    )
    assert named.key() != draft.key()


def test_about_keeps_pointers_in_fields_and_names_anything_else_after_the_question() -> None:
    query = Query.about(
        "Shelf life?", ["/goodsItems/0", " /goodsItems/0 ", "", "the label", "/bad~2", "/", "/goodsItems/1"]
    )
    assert query.fields == ("/goodsItems/0", "/goodsItems/1")
    assert query.question == "Shelf life? (fields concerned: the label, /bad~2, /)"


def test_about_cuts_what_the_spec_cannot_carry() -> None:
    query = Query.about("x" * 2500, (f"/goodsItems/{i}" for i in range(60)))
    assert len(query.fields) == 50 and len(query.question) == 2000
    assert Query.about("Origin?", ()) == Query(question="Origin?")
