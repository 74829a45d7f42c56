"""Every shipped example behaves as declared: valid ones pass and round-trip, invalid ones fail at their pointer.

Parametrised over the files on disk, so a new document type or example is covered without a test change.
"""

from __future__ import annotations

from pathlib import Path

import fastavro
import pytest
import rfc8785

from singlewindow.platform.specs import (
    Catalog,
    DocumentValidator,
    apply_invalid_example,
    avro_round_trip,
    read_json,
)

CATALOG = Catalog()
VALIDATOR = DocumentValidator(CATALOG)
VALID = [(name, path) for name in CATALOG.names() for path in CATALOG.get(name).valid_examples]
INVALID = [(name, path) for name in CATALOG.names() for path in CATALOG.get(name).invalid_examples]


def example_id(case: tuple[str, Path]) -> str:
    return f"{case[0]}/{case[1].name}"


@pytest.mark.parametrize("case", VALID, ids=example_id)
def test_valid_example_passes_and_round_trips_in_canonical_form(case: tuple[str, Path]) -> None:
    doc_type, path = case
    document = read_json(path)
    assert VALIDATOR.validate(doc_type, document) == []
    parsed = fastavro.parse_schema(CATALOG.get(doc_type).avro_schema)
    assert rfc8785.dumps(avro_round_trip(parsed, document)) == rfc8785.dumps(document)


@pytest.mark.parametrize("case", INVALID, ids=example_id)
def test_invalid_example_fails_exactly_at_its_pointer(case: tuple[str, Path]) -> None:
    doc_type, path = case
    spec, document = apply_invalid_example(path, CATALOG.get(doc_type).folder / "examples")
    problems = VALIDATOR.validate(doc_type, document)
    assert problems, "the patched document is valid"
    assert {p.path for p in problems} == {spec["expect"]["path"]}, problems
    assert spec["expect"]["code"] in {p.code for p in problems}


@pytest.mark.parametrize("doc_type", CATALOG.names())
def test_each_type_has_enough_examples(doc_type: str) -> None:
    document_type = CATALOG.get(doc_type)
    assert len(document_type.valid_examples) >= 2
    assert len(document_type.invalid_examples) >= 3
