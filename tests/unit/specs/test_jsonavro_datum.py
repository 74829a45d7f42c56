"""JSON <-> Avro value conversion: logical types, unions with null, enums, nesting, exact round trips."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import fastavro
import pytest

from singlewindow.registry.jsonavro import (
    DatumConversionError,
    avro_schema_from_json_schema,
    from_avro_datum,
    to_avro_datum,
)
from singlewindow.registry.jsonavro.patterns import DATE_PATTERN, TIMESTAMP_PATTERN

MASS = {"type": "string", "pattern": r"^[0-9]{1,12}\.[0-9]{3}$", "x-decimal": {"precision": 15, "scale": 3}}
AMOUNT = {"type": "string", "pattern": r"^-?[0-9]{1,16}\.[0-9]{2}$", "x-decimal": {"precision": 18, "scale": 2}}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["issuedAt", "items"],
    "properties": {
        "issuedAt": {"type": "string", "format": "date-time", "pattern": TIMESTAMP_PATTERN},
        "validUntil": {"type": "string", "format": "date", "pattern": DATE_PATTERN},
        "channel": {"type": "string", "enum": ["GREEN", "YELLOW", "RED"]},
        "total": AMOUNT,
        "temperature": {"type": "number"},
        "sealed": {"type": "boolean"},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["netMassKg"],
                "properties": {
                    "netMassKg": MASS,
                    "count": {"type": "integer", "minimum": 0, "maximum": 1000},
                    "party": {"$ref": "#/$defs/Party"},
                },
            },
        },
        "carrier": {"$ref": "#/$defs/Party"},
    },
    "$defs": {
        "Party": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name"],
            "properties": {"name": {"type": "string"}},
        }
    },
}
AVRO = avro_schema_from_json_schema(SCHEMA, "Sample", "org.singlewindow.sample")
PARSED = fastavro.parse_schema(AVRO)
DOCUMENT = {
    "issuedAt": "2026-11-25T06:30:00.120Z",
    "validUntil": "2026-12-31",
    "channel": "YELLOW",
    "total": "-1250.50",
    "temperature": -18.5,
    "sealed": False,
    "items": [{"netMassKg": "0.000"}, {"netMassKg": "20000.100", "count": 3, "party": {"name": "Almaty Fresh"}}],
    "carrier": {"name": "Khorgos Logistics"},
}


def through_the_wire(datum: Any) -> Any:
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, PARSED, datum)
    buffer.seek(0)
    return fastavro.schemaless_reader(buffer, PARSED, PARSED)


def test_to_avro_converts_logical_types_and_fills_absent_optionals_with_null() -> None:
    datum = to_avro_datum(AVRO, DOCUMENT)
    assert datum["issuedAt"] == datetime(2026, 11, 25, 6, 30, 0, 120000, tzinfo=UTC)
    assert datum["validUntil"] == date(2026, 12, 31)
    assert datum["total"] == Decimal("-1250.50")
    assert datum["items"][0] == {"netMassKg": Decimal("0.000"), "count": None, "party": None}
    assert datum["temperature"] == -18.5


def test_round_trip_through_fastavro_reproduces_the_document_exactly() -> None:
    back = from_avro_datum(AVRO, through_the_wire(to_avro_datum(AVRO, DOCUMENT)))
    assert back == DOCUMENT
    assert back["items"][0] == {"netMassKg": "0.000"}  # absent stays absent, scale kept


def test_parsed_and_plain_schemas_convert_alike() -> None:
    assert to_avro_datum(PARSED, DOCUMENT) == to_avro_datum(AVRO, DOCUMENT)
    assert from_avro_datum(PARSED, to_avro_datum(AVRO, DOCUMENT)) == DOCUMENT


def test_from_avro_accepts_raw_epoch_values() -> None:
    datum = to_avro_datum(AVRO, DOCUMENT) | {"issuedAt": 1_764_052_200_120, "validUntil": 20_818}
    back = from_avro_datum(AVRO, datum)
    assert back["issuedAt"] == "2025-11-25T06:30:00.120Z"
    assert back["validUntil"] == "2026-12-31"


def test_decimal_keeps_its_fixed_scale_on_the_way_back() -> None:
    datum = to_avro_datum(AVRO, DOCUMENT) | {"total": Decimal("7.5")}
    assert from_avro_datum(AVRO, datum)["total"] == "7.50"


@pytest.mark.parametrize(
    ("patch", "pointer", "words"),
    [
        ({"issuedAt": "2026-11-25T06:30:00Z"}, "/issuedAt", "UTC timestamp"),
        ({"issuedAt": "2026-02-30T06:30:00.000Z"}, "/issuedAt", "real instant"),
        ({"validUntil": "2026-13-01"}, "/validUntil", "real date"),
        ({"total": "12.5"}, "/total", "2 digits"),
        ({"total": 12.5}, "/total", "decimal string"),
        ({"channel": "BLUE"}, "/channel", "not one of"),
        ({"sealed": "yes"}, "/sealed", "boolean"),
        ({"items": [{"netMassKg": "1.000", "count": True}]}, "/items/0/count", "Avro int"),
        ({"items": [{"count": 1}]}, "/items/0/netMassKg", "required"),
        ({"items": [{"netMassKg": "1.000", "colour": "red"}]}, "/items/0/colour", "not in the Avro schema"),
        ({"carrier": "Khorgos Logistics"}, "/carrier", "object"),
    ],
)
def test_bad_values_are_refused_with_their_json_pointer(patch: dict[str, Any], pointer: str, words: str) -> None:
    with pytest.raises(DatumConversionError) as caught:
        to_avro_datum(AVRO, DOCUMENT | patch)
    assert caught.value.pointer == pointer
    assert words in str(caught.value)


def test_int_range_is_enforced() -> None:
    schema = {"type": "record", "name": "R", "fields": [{"name": "n", "type": "int"}]}
    with pytest.raises(DatumConversionError, match="out of range"):
        to_avro_datum(schema, {"n": 2**31})


def test_unknown_named_type_is_reported() -> None:
    schema = {"type": "record", "name": "R", "fields": [{"name": "p", "type": "org.example.Missing"}]}
    with pytest.raises(DatumConversionError, match="unknown Avro type"):
        to_avro_datum(schema, {"p": {}})
