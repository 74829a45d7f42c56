"""Issue 11: every integer of a request model is a strict JSON integer within its bounds (at most int64).

pydantic's lax mode turned ``"ticket": "9223372036854775808"`` into an int over int64 that passed ``ge=1`` and
overflowed SQLite as a 500; the guard below keeps a new field from bringing that back."""

from __future__ import annotations

import types
import typing
from typing import Any

import pytest
from annotated_types import Ge, Le
from pydantic import BaseModel, Strict, ValidationError

from singlewindow.platform.inputs import INT32_MAX, INT64_MAX, INT64_MIN, int_field, url_problems
from singlewindow.platform.officers import AnswerInput, OfficerDecisionInput, ReplacesInput, WithdrawalInput

REQUEST_MODELS: tuple[type[BaseModel], ...] = (OfficerDecisionInput, WithdrawalInput, AnswerInput, ReplacesInput)
VALID: dict[type[BaseModel], dict[str, Any]] = {
    OfficerDecisionInput: {"ticket": 1, "status": "ACCEPTED"},
    WithdrawalInput: {"submissionId": "s_1", "version": 1, "kind": "cancelled", "reason": "r", "supersededBy": 2},
    AnswerInput: {"submissionId": "s_1", "version": 1, "queryId": "q", "querySequence": 0, "answer": "a"},
    ReplacesInput: {"version": 1},
}


def _is_int(annotation: Any) -> bool:
    if annotation is int:
        return True
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return any(_is_int(arg) for arg in typing.get_args(annotation))
    return False


def _int_fields() -> list[tuple[type[BaseModel], str]]:
    return [
        (model, name)
        for model in REQUEST_MODELS
        for name, field in model.model_fields.items()
        if _is_int(field.annotation)
    ]


def test_the_guard_sees_the_int_fields() -> None:
    assert {(m.__name__, n) for m, n in _int_fields()} >= {
        ("OfficerDecisionInput", "ticket"),
        ("WithdrawalInput", "version"),
        ("WithdrawalInput", "supersededBy"),
        ("AnswerInput", "querySequence"),
        ("ReplacesInput", "version"),
    }


@pytest.mark.parametrize(("model", "name"), _int_fields(), ids=lambda x: getattr(x, "__name__", x))
def test_every_int_field_is_strict_and_bounded_within_int64(model: type[BaseModel], name: str) -> None:
    metadata = model.model_fields[name].metadata
    assert any(isinstance(m, Strict) and m.strict for m in metadata), f"{model.__name__}.{name} is not strict"
    lows = [int(m.ge) for m in metadata if isinstance(m, Ge)]  # type: ignore[call-overload]
    highs = [int(m.le) for m in metadata if isinstance(m, Le)]  # type: ignore[call-overload]
    assert lows and highs, f"{model.__name__}.{name} is not bounded on both sides"
    assert max(lows) >= INT64_MIN and min(highs) <= INT64_MAX


@pytest.mark.parametrize(("model", "name"), _int_fields(), ids=lambda x: getattr(x, "__name__", x))
@pytest.mark.parametrize("given", ["9223372036854775808", "5", True, 1.0, 2**63, -(2**63) - 1])
def test_a_string_bool_float_or_int64_overflow_is_refused(model: type[BaseModel], name: str, given: Any) -> None:
    model.model_validate(VALID[model])  # the baseline is valid
    with pytest.raises(ValidationError) as caught:
        model.model_validate({**VALID[model], name: given})
    assert [error["loc"] for error in caught.value.errors()] == [(name,)]


def test_the_ticket_over_int64_as_a_string_is_an_int_type_error() -> None:
    with pytest.raises(ValidationError) as caught:
        OfficerDecisionInput.model_validate({"ticket": "9223372036854775808", "status": "ACCEPTED"})
    assert caught.value.errors()[0]["type"] == "int_type"


def test_bounds_are_in_the_generated_schema() -> None:
    ticket = OfficerDecisionInput.model_json_schema()["properties"]["ticket"]
    assert (ticket["minimum"], ticket["maximum"]) == (1, INT64_MAX)
    version = WithdrawalInput.model_json_schema()["properties"]["version"]
    assert (version["minimum"], version["maximum"]) == (1, INT32_MAX)


def test_int_field_refuses_bounds_beyond_int64() -> None:
    with pytest.raises(ValueError, match="not within int64"):
        int_field(0, INT64_MAX + 1)
    with pytest.raises(ValueError, match="not within int64"):
        int_field(2, 1)


# --- URLs that are not UTF-8 once percent-decoded ----------------------------------------------------------
@pytest.mark.parametrize(
    ("raw_path", "query", "expected"),
    [
        (b"/v1/border-events", b"ucr=%ED%A0%80", [("/ucr", "invalid-utf8")]),
        (b"/v1/border-events", b"a=1&%FF=2", [("/\ufffd", "invalid-utf8")]),
        (b"/v1/submissions/%ED%A0%80", b"", [("", "invalid-utf8")]),
        (b"/v1/submissions/%ff?x=1", b"x=1", [("", "invalid-utf8")]),
        (b"/v1/submissions/\xc3", b"", [("", "invalid-utf8")]),
    ],
)
def test_url_problems_find_invalid_utf8(raw_path: bytes, query: bytes, expected: list[tuple[str, str]]) -> None:
    assert [(p.path, p.code) for p in url_problems(raw_path, query)] == expected


@pytest.mark.parametrize(
    ("raw_path", "query"),
    [
        (b"/v1/border-events", b"ucr=%EF%BF%BD"),  # U+FFFD sent as such is valid text
        (b"/v1/submissions/%C3%A9", b"status=%F0%9F%98%80&limit=1"),
        (b"/v1/submissions?ucr=%ED%A0%80", b""),  # raw_path's query part is the query string's business
        (b"/", b""),
    ],
)
def test_url_problems_accept_utf8(raw_path: bytes, query: bytes) -> None:
    assert url_problems(raw_path, query) == []
