"""DocumentValidator: JSON Schema problems at the offending instance's pointer, then code-list problems."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from singlewindow.platform.errors import NotFound
from singlewindow.platform.specs import Catalog, CodeList, DocumentValidator
from singlewindow.registry.jsonavro.patterns import DATE_PATTERN, TIMESTAMP_PATTERN

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "urn:nsw:spec:parcel",
    "type": "object",
    "additionalProperties": False,
    "required": ["sentAt", "country", "items"],
    "properties": {
        "sentAt": {"type": "string", "format": "date-time", "pattern": TIMESTAMP_PATTERN},
        "validUntil": {"type": "string", "format": "date", "pattern": DATE_PATTERN},
        "country": {"type": "string", "pattern": "^[A-Z]{2}$", "x-codelist": "countries"},
        "items": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["unit"],
                "properties": {"unit": {"type": "string", "x-codelist": "units"}},
            },
        },
    },
}
LISTS = {
    "countries": CodeList("countries", "t", "s", "1", frozenset({"KZ", "CN"})),
    "units": CodeList("units", "t", "s", "1", frozenset({"KGM"})),
}
GOOD = {"sentAt": "2026-11-25T06:30:00.000Z", "country": "KZ", "items": [{"unit": "KGM"}]}


@pytest.fixture
def validator(tmp_path: Path) -> DocumentValidator:
    folder = tmp_path / "documents" / "parcel"
    folder.mkdir(parents=True)
    (folder / "schema.json").write_text(json.dumps(SCHEMA))
    return DocumentValidator(Catalog(tmp_path), LISTS)


def problems(validator: DocumentValidator, document: Any) -> list[tuple[str, str]]:
    return [(p.path, p.code) for p in validator.validate("parcel", document)]


def test_a_valid_document_has_no_problems(validator: DocumentValidator) -> None:
    assert validator.validate("parcel", GOOD) == []


def test_a_missing_property_is_reported_at_its_own_pointer_an_unknown_one_on_its_object(
    validator: DocumentValidator,
) -> None:
    document = GOOD | {"items": [{"colour": "red"}]}
    found = validator.validate("parcel", document)
    assert [(p.path, p.code) for p in found] == [("/items/0", "additionalProperties"), ("/items/0/unit", "required")]
    assert "'unit' is a required property" in found[1].message


def test_every_missing_property_gets_its_own_problem_and_names_are_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "documents" / "odd"
    folder.mkdir(parents=True)
    schema = {"type": "object", "required": ["a/b", "c~d", "e"], "properties": {"e": {"type": "string"}}}
    (folder / "schema.json").write_text(json.dumps(schema))
    found = DocumentValidator(Catalog(tmp_path), {}).validate("odd", {"e": "x"})
    assert [(p.path, p.code) for p in found] == [("/a~1b", "required"), ("/c~0d", "required")]


def test_formats_are_checked_beyond_the_pattern(validator: DocumentValidator) -> None:
    document = GOOD | {"sentAt": "2026-02-30T06:30:00.000Z", "validUntil": "2026-13-01"}
    assert problems(validator, document) == [("/sentAt", "format"), ("/validUntil", "format")]


def test_code_lists_are_checked_where_the_schema_is_satisfied(validator: DocumentValidator) -> None:
    assert problems(validator, GOOD | {"country": "XX", "items": [{"unit": "LBS"}]}) == [
        ("/country", "codelist"),
        ("/items/0/unit", "codelist"),
    ]
    # a value that already breaks its pattern is not reported a second time as an unlisted code
    assert problems(validator, GOOD | {"country": "kz"}) == [("/country", "pattern")]


def test_compiled_validators_are_reused(validator: DocumentValidator) -> None:
    validator.validate("parcel", GOOD)
    compiled = validator._compiled["parcel"]
    validator.validate("parcel", GOOD)
    assert validator._compiled["parcel"] is compiled


def test_an_unknown_type_is_not_found_and_names_the_known_ones(validator: DocumentValidator) -> None:
    with pytest.raises(NotFound, match="known types: parcel"):
        validator.validate("manifest", GOOD)
