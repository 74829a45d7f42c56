"""Normalisation: the same schema written differently has one canonical text and one fingerprint."""

from __future__ import annotations

import json

import pytest

from singlewindow.registry.errors import InvalidSchema
from singlewindow.registry.formats import parse_schema
from singlewindow.registry.models import SchemaType

RECORD = {
    "type": "record",
    "name": "Consignment",
    "namespace": "nsw",
    "fields": [
        {"name": "ucr", "type": "string", "doc": "consignment reference"},
        {"name": "grossMassKg", "type": {"type": "bytes", "logicalType": "decimal", "precision": 15, "scale": 3}},
        {"name": "note", "type": ["null", "string"], "default": None},
    ],
}


def test_avro_whitespace_key_order_and_namespace_spelling_do_not_matter() -> None:
    reordered = {
        "fields": RECORD["fields"],
        "name": "nsw.Consignment",
        "type": "record",
    }
    one = parse_schema(SchemaType.AVRO, json.dumps(RECORD))
    two = parse_schema(SchemaType.AVRO, json.dumps(reordered, indent=4))
    assert one.canonical == two.canonical
    assert one.fingerprint == two.fingerprint


def test_avro_primitive_object_form_is_the_bare_name() -> None:
    assert parse_schema(SchemaType.AVRO, '{"type": "string"}').canonical == '"string"'


def test_avro_canonical_keeps_defaults_docs_and_logical_types() -> None:
    canonical = parse_schema(SchemaType.AVRO, json.dumps(RECORD)).canonical
    assert '"default":null' in canonical
    assert '"doc":"consignment reference"' in canonical
    assert '"logicalType":"decimal"' in canonical


def test_avro_canonical_form_is_a_fixed_point() -> None:
    once = parse_schema(SchemaType.AVRO, json.dumps(RECORD))
    assert parse_schema(SchemaType.AVRO, once.canonical).canonical == once.canonical


def test_avro_default_changes_identity() -> None:
    changed = json.loads(json.dumps(RECORD))
    changed["fields"][2]["default"] = None
    changed["fields"][0]["doc"] = "another doc"
    assert parse_schema(SchemaType.AVRO, json.dumps(changed)).fingerprint != (
        parse_schema(SchemaType.AVRO, json.dumps(RECORD)).fingerprint
    )


def test_json_schema_sorted_compact() -> None:
    one = parse_schema(SchemaType.JSON, '{"type": "object", "properties": {"a": {"type": "string"}}}')
    two = parse_schema(SchemaType.JSON, '{"properties":{"a":{"type":"string"}},\n "type":"object"}')
    assert one.canonical == two.canonical == '{"properties":{"a":{"type":"string"}},"type":"object"}'
    assert one.fingerprint == two.fingerprint


def test_same_text_different_type_differs() -> None:
    assert parse_schema(SchemaType.AVRO, '"string"').fingerprint != parse_schema(SchemaType.JSON, "true").fingerprint


@pytest.mark.parametrize(
    ("schema_type", "text", "fragment"),
    [
        (SchemaType.AVRO, "{not json", "not valid JSON"),
        (SchemaType.AVRO, '{"type": "record", "name": "R"}', "Invalid Avro schema"),
        (SchemaType.AVRO, '{"type": "nonsense"}', "Invalid Avro schema"),
        (
            SchemaType.AVRO,
            '{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]}',
            "Invalid Avro schema",
        ),
        (SchemaType.JSON, '{"type": "strin"}', "Invalid JSON Schema at /type"),
        (SchemaType.JSON, "[1, 2]", "JSON object or a boolean"),
    ],
)
def test_invalid_schemas_carry_the_parser_reason(schema_type: SchemaType, text: str, fragment: str) -> None:
    with pytest.raises(InvalidSchema, match=fragment) as caught:
        parse_schema(schema_type, text)
    assert caught.value.error_code == 42201


@pytest.mark.parametrize(
    ("field", "fragment"),
    [
        ({"name": "a", "type": "int", "default": "x"}, "field 'a': default 'x' is invalid: expected an integer"),
        ({"name": "a", "type": ["null", "int"], "default": 1}, "first branch (null)"),
        ({"name": "a", "type": "int", "default": 2**40}, "out of range for int"),
        (
            {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A"]}, "default": "B"},
            "expected one of the symbols",
        ),
        (
            {
                "name": "n",
                "type": {"type": "record", "name": "N", "fields": [{"name": "q", "type": "int"}]},
                "default": {},
            },
            "q: missing and has no default",
        ),
    ],
)
def test_bad_field_defaults_are_refused_with_the_field_path(field: dict[str, object], fragment: str) -> None:
    schema = {"type": "record", "name": "R", "fields": [field]}
    with pytest.raises(InvalidSchema, match="default") as caught:
        parse_schema(SchemaType.AVRO, json.dumps(schema))
    assert fragment in caught.value.message


def test_nested_bad_default_names_the_nested_path() -> None:
    inner = {"type": "record", "name": "Inner", "fields": [{"name": "qty", "type": "long", "default": "1"}]}
    schema = {"type": "record", "name": "R", "fields": [{"name": "items", "type": {"type": "array", "items": inner}}]}
    with pytest.raises(InvalidSchema, match=r"field 'items\[\]\.qty'"):
        parse_schema(SchemaType.AVRO, json.dumps(schema))


def test_valid_defaults_pass() -> None:
    fields = [
        {"name": "a", "type": "long", "default": 5},
        {"name": "b", "type": "double", "default": 1},
        {"name": "c", "type": {"type": "array", "items": "string"}, "default": ["x"]},
        {"name": "d", "type": {"type": "map", "values": "int"}, "default": {"k": 1}},
        {"name": "e", "type": {"type": "fixed", "name": "F", "size": 2}, "default": "\u00ff\u0000"},
        {"name": "f", "type": ["string", "null"], "default": "x"},
        {"name": "g", "type": "boolean", "default": False},
    ]
    parse_schema(SchemaType.AVRO, json.dumps({"type": "record", "name": "R", "fields": fields}))
