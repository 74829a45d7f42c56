"""Structural test: every shipped JSON Schema and its Avro twin describe the same fields, both ways."""

from __future__ import annotations

from typing import Any

import pytest

from singlewindow.platform.specs import Catalog
from singlewindow.registry.jsonavro import twin_mismatches

CATALOG = Catalog()


@pytest.mark.parametrize("doc_type", CATALOG.names())
def test_every_property_maps_to_an_avro_field_of_the_mapped_type_and_back(doc_type: str) -> None:
    document_type = CATALOG.get(doc_type)
    assert twin_mismatches(document_type.json_schema, document_type.avro_schema) == []


@pytest.mark.parametrize("doc_type", CATALOG.names())
def test_an_avro_schema_carrying_the_document_as_one_string_is_not_a_twin(doc_type: str) -> None:
    opaque = {"type": "record", "name": "Opaque", "fields": [{"name": "document", "type": "string"}]}
    mismatches = twin_mismatches(CATALOG.get(doc_type).json_schema, opaque)
    assert "/document: Avro field has no JSON property" in mismatches
    assert any(m.endswith("JSON property has no Avro field") for m in mismatches)


SMALL: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "mass"],
    "properties": {
        "id": {"type": "string"},
        "mass": {"type": "string", "pattern": r"^[0-9]{1,12}\.[0-9]{3}$", "x-decimal": {"precision": 15, "scale": 3}},
        "count": {"type": "integer", "minimum": 0, "maximum": 10},
        "status": {"type": "string", "enum": ["OPEN", "CLOSED"]},
    },
}
TWIN: dict[str, Any] = {
    "type": "record",
    "name": "Small",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "mass", "type": {"type": "bytes", "logicalType": "decimal", "precision": 15, "scale": 3}},
        {"name": "count", "type": ["null", "int"], "default": None},
        {
            "name": "status",
            "type": ["null", {"type": "enum", "name": "Status", "symbols": ["OPEN", "CLOSED"]}],
            "default": None,
        },
    ],
}


def test_a_hand_written_twin_passes() -> None:
    assert twin_mismatches(SMALL, TWIN) == []


@pytest.mark.parametrize(
    ("index", "replacement", "expected"),
    [
        (1, {"name": "mass", "type": "string"}, "/mass: JSON decimal(15,3) is Avro string"),
        (0, {"name": "id", "type": ["null", "string"], "default": None}, "/id: required in JSON but nullable in Avro"),
        (2, {"name": "count", "type": "int"}, "/count: optional in JSON but not ['null', T] with default null in Avro"),
        (2, {"name": "count", "type": ["null", "long"], "default": None}, "/count: JSON int is Avro long"),
        (
            3,
            {"name": "status", "type": ["null", {"type": "enum", "name": "S", "symbols": ["OPEN"]}], "default": None},
            "/status: enum values ['OPEN', 'CLOSED'] differ from Avro symbols ['OPEN']",
        ),
    ],
)
def test_each_kind_of_mismatch_is_named(index: int, replacement: dict[str, Any], expected: str) -> None:
    fields = list(TWIN["fields"])
    fields[index] = replacement
    assert twin_mismatches(SMALL, TWIN | {"fields": fields}) == [expected]
