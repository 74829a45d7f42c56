"""The corpus against the checker, against an independent oracle and against sampled instances.

Oracle: ``jsonsubschema`` 0.0.8 (``isSubschema(writer, reader)``), in a worker process with a
10 s limit per pair, on both directions of every pair it can read: no ``pattern``/``format``/
``prefixItems``/``dependentRequired`` (it ignores them), translated to draft 4. It fails to read
recursive ``$ref`` (JsonRefError) and negated objects (UnsupportedNegatedObject): those are listed,
not compared. Every remaining disagreement is an oracle mistake, named below with a witness.

Sampling: hypothesis-jsonschema generates instances from the writer; each one the writer really
accepts (draft 2020-12 validation; the generator does not know every 2020-12 keyword) must be
accepted by the reader whenever ``check`` says compatible. hypothesis-jsonschema cannot generate from
recursive ``$ref`` (HypothesisRefResolutionError), so the two recursive-tree pairs are not sampled.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator

sys.path.insert(0, str(Path(__file__).parent))
from corpus import CASES, Case
from oracle import Oracle

from singlewindow.registry.jsoncompat import check

CONSERVATIVE_RULES = {"pattern-changed", "not-changed", "undecidable-keyword"}

ORACLE_MISTAKES: dict[tuple[str, str], tuple[bool, str, Any]] = {
    # (case, direction): (truth, why the oracle is wrong, witness: writer-valid, reader-invalid instance)
    ("partial-add-narrower", "forward"): (
        False,
        "jsonsubschema ignores a reader property that narrows the writer's additionalProperties",
        {"n": 1.5},
    ),
    ("partial-remove-covered", "reverse"): (False, "same pair as partial-add-narrower forward", {"n": 1.5}),
    ("partial-remove-uncovered", "reverse"): (
        False,
        "reader property 's' is a string, writer additionalProperties allows a number there",
        {"s": 1},
    ),
    ("max-properties-by-closed-model", "forward"): (
        True,
        "a closed model with two properties never has more than two members; jsonsubschema does not derive it",
        None,
    ),
    ("allof-flattened", "forward"): (
        True,
        "allOf [object requiring a, requiring b] only yields objects with a and b; jsonsubschema misses it",
        None,
    ),
}


def directions(case: Case) -> Iterator[tuple[str, Any, Any, bool | None]]:
    yield "forward", case.reader, case.writer, case.compatible
    yield "reverse", case.writer, case.reader, None


@pytest.fixture(scope="module")
def oracle_verdicts() -> dict[tuple[str, str], bool | str]:
    oracle = Oracle(timeout=10.0)
    try:
        return {
            (case.name, direction): oracle.is_subschema(writer, reader)
            for case in CASES
            for direction, reader, writer, _ in directions(case)
        }
    finally:
        oracle.close()


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 60
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_checker_verdict(case: Case) -> None:
    found = check(case.reader, case.writer)
    if case.conservative:
        assert found, "a conservative case must be reported"
        assert {item.rule for item in found} <= CONSERVATIVE_RULES
    else:
        assert (not found) is case.compatible, [(item.pointer, item.rule) for item in found]


def test_oracle_agrees_except_its_known_mistakes(oracle_verdicts: dict[tuple[str, str], bool | str]) -> None:
    agreements, disagreements, unread = 0, set(), []
    for case in CASES:
        for direction, reader, writer, truth in directions(case):
            verdict = oracle_verdicts[(case.name, direction)]
            if isinstance(verdict, str):
                unread.append((case.name, direction, verdict))
                continue
            mine = not check(reader, writer)
            if truth is not None:
                assert mine is truth or case.conservative
            if verdict is mine:
                agreements += 1
            else:
                disagreements.add((case.name, direction))
    assert disagreements == set(ORACLE_MISTAKES)
    assert agreements >= 160
    assert all(v.startswith("skipped") or "JsonRefError" in v or "Negated" in v for *_, v in unread), unread


@pytest.mark.parametrize("key", sorted(ORACLE_MISTAKES), ids=lambda key: f"{key[0]}-{key[1]}")
def test_each_oracle_mistake_is_real(key: tuple[str, str]) -> None:
    case = next(case for case in CASES if case.name == key[0])
    reader, writer = (case.reader, case.writer) if key[1] == "forward" else (case.writer, case.reader)
    truth, _, witness = ORACLE_MISTAKES[key]
    assert (not check(reader, writer)) is truth
    if witness is not None:
        assert Draft202012Validator(writer).is_valid(witness)
        assert not Draft202012Validator(reader).is_valid(witness)


COMPATIBLE_PAIRS = [
    pytest.param(reader, writer, id=f"{case.name}-{direction}")
    for case in CASES
    for direction, reader, writer, _ in directions(case)
    if writer is not False and not case.name.startswith("recursive-") and not check(reader, writer)
]


@pytest.mark.parametrize(("reader", "writer"), COMPATIBLE_PAIRS)
def test_sampled_writer_instances_pass_the_reader(reader: Any, writer: Any) -> None:
    writer_ok, reader_ok = Draft202012Validator(writer), Draft202012Validator(reader)

    @settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def run(data: st.DataObject) -> None:
        instance = data.draw(from_schema(writer))
        if writer_ok.is_valid(instance):
            assert reader_ok.is_valid(instance), instance

    run()
