"""The generator implements each row of the mapping table (docs/specs-conventions.md) and refuses the rest."""

from __future__ import annotations

from typing import Any

import fastavro
import pytest

from singlewindow.registry.jsonavro import SchemaMappingError, avro_schema_from_json_schema
from singlewindow.registry.jsonavro.patterns import DATE_PATTERN, TIMESTAMP_PATTERN

NS = "org.singlewindow.test"
AMOUNT = {"type": "string", "pattern": r"^-?[0-9]{1,16}\.[0-9]{2}$", "x-decimal": {"precision": 18, "scale": 2}}
TIMESTAMP = {"type": "string", "format": "date-time", "pattern": TIMESTAMP_PATTERN}
DATE = {"type": "string", "format": "date", "pattern": DATE_PATTERN}


def doc(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    schema = {"type": "object", "additionalProperties": False, "properties": properties, **extra}
    schema["required"] = list(properties) if required is None else required
    return schema


def generate(schema: dict[str, Any]) -> dict[str, Any]:
    avro = avro_schema_from_json_schema(schema, "Test", NS)
    fastavro.parse_schema(avro)  # every generated schema must be one fastavro accepts
    return avro


def field_type(schema: dict[str, Any], name: str = "x") -> Any:
    return next(f["type"] for f in generate(schema)["fields"] if f["name"] == name)


@pytest.mark.parametrize(
    ("json_type", "avro_type"),
    [
        ({"type": "string", "minLength": 1, "maxLength": 35, "pattern": "^[A-Z]+$"}, "string"),
        ({"type": "string", "pattern": "^[A-Z]{2}$", "x-codelist": "countries"}, "string"),
        ({"type": "string", "pattern": r"^[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}$"}, "string"),
        ({"type": "integer", "minimum": 0, "maximum": 2**31 - 1}, "int"),
        ({"type": "integer", "minimum": -(2**31), "maximum": 10}, "int"),
        ({"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 100}, "int"),
        ({"type": "integer", "minimum": 0}, "long"),
        ({"type": "integer", "minimum": 0, "maximum": 2**31}, "long"),
        ({"type": "integer"}, "long"),
        ({"type": "number"}, "double"),
        ({"type": "boolean"}, "boolean"),
        (AMOUNT, {"type": "bytes", "logicalType": "decimal", "precision": 18, "scale": 2}),
        (TIMESTAMP, {"type": "long", "logicalType": "timestamp-millis"}),
        (DATE, {"type": "int", "logicalType": "date"}),
        ({"type": "array", "items": {"type": "string"}}, {"type": "array", "items": "string"}),
    ],
)
def test_each_scalar_row_of_the_mapping_table(json_type: dict[str, Any], avro_type: Any) -> None:
    assert field_type(doc({"x": json_type})) == avro_type


def test_root_is_a_named_record_with_namespace_and_doc() -> None:
    avro = generate(doc({"x": {"type": "string", "description": "The x."}}, description="A test document."))
    assert avro == {
        "type": "record",
        "name": "Test",
        "namespace": NS,
        "doc": "A test document.",
        "fields": [{"name": "x", "doc": "The x.", "type": "string"}],
    }


def test_optional_property_is_nullable_with_default_null() -> None:
    avro = generate(doc({"a": {"type": "string"}, "b": {"type": "boolean"}}, required=["a"]))
    assert avro["fields"] == [
        {"name": "a", "type": "string"},
        {"name": "b", "type": ["null", "boolean"], "default": None},
    ]


def test_inline_enum_is_named_after_its_property() -> None:
    schema = doc({"channelCode": {"type": "string", "enum": ["GREEN", "YELLOW", "RED"], "description": "Lane."}})
    assert field_type(schema, "channelCode") == {
        "type": "enum",
        "name": "ChannelCode",
        "doc": "Lane.",
        "symbols": ["GREEN", "YELLOW", "RED"],
    }


def test_inline_object_becomes_a_record_named_after_its_property() -> None:
    inner = doc({"plate": {"type": "string"}}, description="Vehicle.")
    record = field_type(doc({"transportMeans": inner}), "transportMeans")
    assert record == {
        "type": "record",
        "name": "TransportMeans",
        "doc": "Vehicle.",
        "fields": [{"name": "plate", "type": "string"}],
    }


def test_array_of_inline_objects() -> None:
    schema = doc({"goodsItems": {"type": "array", "minItems": 1, "items": doc({"n": {"type": "integer"}})}})
    assert field_type(schema, "goodsItems") == {
        "type": "array",
        "items": {"type": "record", "name": "GoodsItems", "fields": [{"name": "n", "type": "long"}]},
    }


def test_defs_record_is_defined_once_then_referenced_by_full_name() -> None:
    party = doc({"name": {"type": "string"}}, description="A party.")
    schema = doc(
        {"exporter": {"$ref": "#/$defs/Party"}, "importer": {"$ref": "#/$defs/Party", "description": "Buyer."}},
        required=["exporter"],
        **{"$defs": {"Party": party}},
    )
    fields = generate(schema)["fields"]
    assert fields[0] == {
        "name": "exporter",
        "doc": "A party.",
        "type": {"type": "record", "name": "Party", "doc": "A party.", "fields": [{"name": "name", "type": "string"}]},
    }
    assert fields[1] == {"name": "importer", "doc": "Buyer.", "type": ["null", f"{NS}.Party"], "default": None}


def test_defs_enum_keeps_its_name_and_scalar_defs_are_inlined() -> None:
    schema = doc(
        {
            "status": {"$ref": "#/$defs/Status"},
            "total": {"$ref": "#/$defs/Amount"},
            "again": {"$ref": "#/$defs/Status"},
        },
        **{"$defs": {"Status": {"type": "string", "enum": ["ACCEPTED", "REJECTED"]}, "Amount": AMOUNT}},
    )
    fields = {f["name"]: f["type"] for f in generate(schema)["fields"]}
    assert fields["status"] == {"type": "enum", "name": "Status", "symbols": ["ACCEPTED", "REJECTED"]}
    assert fields["again"] == f"{NS}.Status"
    assert fields["total"]["logicalType"] == "decimal"


def test_inline_name_clash_is_prefixed_with_the_parent_record() -> None:
    address = doc({"city": {"type": "string"}})
    schema = doc({"address": address, "consignee": doc({"address": doc({"street": {"type": "string"}})})})
    fields = {f["name"]: f["type"] for f in generate(schema)["fields"]}
    assert fields["address"]["name"] == "Address"
    assert fields["consignee"]["fields"][0]["type"]["name"] == "ConsigneeAddress"


def test_recursive_defs_reference_themselves_by_name() -> None:
    node = doc({"label": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}})
    schema = doc({"root": {"$ref": "#/$defs/Node"}}, **{"$defs": {"Node": node}})
    root = generate(schema)["fields"][0]["type"]
    assert root["fields"][1]["type"] == {"type": "array", "items": f"{NS}.Node"}


def test_canonical_decimal_pattern_without_leading_zeros_is_accepted() -> None:
    money = {
        "type": "string",
        "pattern": r"^(0|[1-9][0-9]{0,15})\.[0-9]{2}$",
        "x-decimal": {"precision": 18, "scale": 2},
    }
    assert field_type(doc({"x": money}))["scale"] == 2


@pytest.mark.parametrize(
    ("schema", "pointer", "words"),
    [
        (doc({"x": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}), "/properties/x/oneOf", "oneOf"),
        (doc({"x": {"anyOf": [{"type": "string"}]}}), "/properties/x/anyOf", "anyOf"),
        (doc({"x": {"type": "string", "allOf": [{"minLength": 1}]}}), "/properties/x/allOf", "allOf"),
        (doc({"x": {"type": ["string", "null"]}}), "/properties/x/type", "type arrays"),
        (
            doc({"x": {"type": "object", "patternProperties": {"^a": {"type": "string"}}}}),
            "/properties/x/patternProperties",
            "patternProperties",
        ),
        (doc({"x": {"type": "object", "properties": {}}}), "/properties/x/additionalProperties", "closed"),
        (
            doc({"x": {"type": "object", "properties": {}, "additionalProperties": {"type": "string"}}}),
            "/properties/x/additionalProperties",
            "closed",
        ),
        (doc({"x": {"const": "A"}}), "/properties/x/const", "const"),
        (doc({"x": {"type": "null"}}), "/properties/x/type", "no Avro twin"),
        (doc({"x": {"description": "untyped"}}), "/properties/x", "type"),
        (doc({"x": {"$ref": "https://example.org/party.json"}}), "/properties/x", "not local"),
        (doc({"x": {"$ref": "#/$defs/Missing"}}), "/properties/x", "no entry"),
        (doc({"x": {"type": "string", "enum": ["green", "bad-symbol"]}}), "/properties/x/enum/1", "Avro symbol"),
        (doc({"x": {"type": "integer", "enum": [1, 2]}}), "/properties/x/enum", "string"),
        (doc({"x": {"type": "string", "format": "date-time"}}), "/properties/x/pattern", "milliseconds"),
        (doc({"x": {"type": "string", "format": "date"}}), "/properties/x/pattern", "date"),
        (
            doc(
                {"x": {"type": "string", "pattern": r"^[0-9]+\.[0-9]{2}$", "x-decimal": {"precision": 18, "scale": 2}}}
            ),
            "/properties/x/pattern",
            "decimal",
        ),
        (
            doc(
                {
                    "x": {
                        "type": "string",
                        "pattern": r"^[0-9]{1,16}\.[0-9]{3}$",
                        "x-decimal": {"precision": 18, "scale": 2},
                    }
                }
            ),
            "/properties/x/pattern",
            "decimal",
        ),
        (doc({"x": {"type": "string", "x-decimal": {"precision": 18}}}), "/properties/x/x-decimal", "precision"),
        (
            doc({"x": {"type": "integer", "x-decimal": {"precision": 18, "scale": 2}}}),
            "/properties/x/x-decimal",
            "x-decimal",
        ),
        (doc({"x": {"type": "array"}}), "/properties/x", "items"),
        (
            doc({"x": {"type": "array", "items": {"type": "string"}, "prefixItems": []}}),
            "/properties/x/prefixItems",
            "table",
        ),
        (doc({"bad-name": {"type": "string"}}), "/properties/bad-name", "field name"),
        (doc({"x": {"type": "string"}}, required=["x", "y"]), "/required", "declared"),
        (doc({"x": {"type": "object", "additionalProperties": False, "$defs": {}}}), "/properties/x/$defs", "root"),
        ({"type": "array", "items": {"type": "string"}}, "", "object"),
    ],
)
def test_constructs_outside_the_table_are_refused_with_their_pointer(
    schema: dict[str, Any], pointer: str, words: str
) -> None:
    with pytest.raises(SchemaMappingError) as caught:
        avro_schema_from_json_schema(schema, "Test", NS)
    assert caught.value.pointer == pointer
    assert words in str(caught.value)


def test_bad_record_name_is_refused() -> None:
    with pytest.raises(SchemaMappingError, match="not a valid Avro name"):
        avro_schema_from_json_schema(doc({}), "cargo-manifest", NS)
