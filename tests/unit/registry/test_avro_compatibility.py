"""Avro compatibility: the classic evolution cases under every level, with the field named in each reason."""

from __future__ import annotations

import json
from typing import Any

import pytest

from singlewindow.registry.compatibility import check_compatibility
from singlewindow.registry.formats import ParsedSchema, parse_schema
from singlewindow.registry.models import CompatibilityLevel, SchemaType

L = CompatibilityLevel


def record(*fields: dict[str, Any], name: str = "Consignment") -> ParsedSchema:
    return parse_schema(SchemaType.AVRO, json.dumps({"type": "record", "name": name, "fields": list(fields)}))


def decimal(precision: int, scale: int) -> dict[str, Any]:
    return {"type": "bytes", "logicalType": "decimal", "precision": precision, "scale": scale}


def enum(*symbols: str, **extra: Any) -> dict[str, Any]:
    return {"type": "enum", "name": "Channel", "symbols": list(symbols), **extra}


UCR = {"name": "ucr", "type": "string"}
BASE = record(UCR)
WITH_DEFAULT = record(UCR, {"name": "note", "type": ["null", "string"], "default": None})
WITHOUT_DEFAULT = record(UCR, {"name": "note", "type": "string"})


def reasons(level: CompatibilityLevel, new: ParsedSchema, *older: ParsedSchema) -> list[str]:
    """``older`` oldest first, as versions 1..n."""
    previous = [(number, schema) for number, schema in enumerate(older, start=1)]
    return check_compatibility(level, new, list(reversed(previous)))


# (case, old, new, levels under which the change is compatible)
CASES = [
    ("field added with default", BASE, WITH_DEFAULT, {"BACKWARD", "FORWARD", "FULL"}),
    ("field added without default", BASE, WITHOUT_DEFAULT, {"FORWARD"}),
    ("field with default removed", WITH_DEFAULT, BASE, {"BACKWARD", "FORWARD", "FULL"}),
    ("field without default removed", WITHOUT_DEFAULT, BASE, {"BACKWARD"}),
    (
        "int promoted to long",
        record({"name": "count", "type": "int"}),
        record({"name": "count", "type": "long"}),
        {"BACKWARD"},
    ),
    (
        "long narrowed to int",
        record({"name": "count", "type": "long"}),
        record({"name": "count", "type": "int"}),
        {"FORWARD"},
    ),
    (
        "enum symbol added",
        record({"name": "channel", "type": enum("GREEN", "RED")}),
        record({"name": "channel", "type": enum("GREEN", "YELLOW", "RED")}),
        {"BACKWARD"},
    ),
    (
        "enum symbol removed",
        record({"name": "channel", "type": enum("GREEN", "YELLOW", "RED")}),
        record({"name": "channel", "type": enum("GREEN", "RED")}),
        {"FORWARD"},
    ),
    (
        "decimal scale changed",
        record({"name": "amount", "type": decimal(18, 2)}),
        record({"name": "amount", "type": decimal(18, 3)}),
        set(),
    ),
    (
        "decimal precision widened",
        record({"name": "amount", "type": decimal(15, 2)}),
        record({"name": "amount", "type": decimal(18, 2)}),
        {"BACKWARD"},
    ),
    (
        "optional decimal scale changed",
        record({"name": "amount", "type": ["null", decimal(18, 2)], "default": None}),
        record({"name": "amount", "type": ["null", decimal(18, 3)], "default": None}),
        set(),
    ),
    ("identical", BASE, BASE, {"BACKWARD", "FORWARD", "FULL"}),
]


@pytest.mark.parametrize("level", list(CompatibilityLevel))
@pytest.mark.parametrize(("case", "old", "new", "ok"), CASES, ids=[c[0] for c in CASES])
def test_every_level(level: CompatibilityLevel, case: str, old: ParsedSchema, new: ParsedSchema, ok: set[str]) -> None:
    found = reasons(level, new, old)
    expected_ok = level is L.NONE or level.value.removesuffix("_TRANSITIVE") in ok
    assert (not found) == expected_ok, (case, level, found)


def test_added_field_without_default_names_the_field_and_direction() -> None:
    [reason] = reasons(L.BACKWARD, WITHOUT_DEFAULT, BASE)
    assert "field 'note'" in reason
    assert "no default" in reason
    assert "cannot read data written with version 1" in reason


def test_removed_field_forward_names_the_field() -> None:
    [reason] = reasons(L.FORWARD, BASE, WITHOUT_DEFAULT)
    assert reason.startswith("version 1 cannot read data written with the new schema: field 'note'")


def test_nested_type_change_names_the_full_path() -> None:
    item_v1 = {"type": "record", "name": "Item", "fields": [{"name": "hsCode", "type": "string"}]}
    item_v2 = {"type": "record", "name": "Item", "fields": [{"name": "hsCode", "type": "int"}]}
    old = record({"name": "goodsItems", "type": {"type": "array", "items": item_v1}})
    new = record({"name": "goodsItems", "type": {"type": "array", "items": item_v2}})
    [reason] = reasons(L.BACKWARD, new, old)
    assert "field 'goodsItems[].hsCode'" in reason
    assert "type_mismatch" in reason


def test_enum_removal_names_the_missing_symbol() -> None:
    old = record({"name": "channel", "type": enum("GREEN", "YELLOW", "RED")})
    new = record({"name": "channel", "type": enum("GREEN", "RED")})
    [reason] = reasons(L.BACKWARD, new, old)
    assert "field 'channel'" in reason
    assert "YELLOW" in reason


def test_enum_removal_tolerated_when_reader_has_a_default() -> None:
    old = record({"name": "channel", "type": enum("GREEN", "YELLOW", "RED")})
    new = record({"name": "channel", "type": enum("GREEN", "RED", default="GREEN")})
    assert reasons(L.BACKWARD, new, old) == []


def test_decimal_scale_change_explains_the_factor() -> None:
    old = record({"name": "amount", "type": decimal(18, 2)})
    new = record({"name": "amount", "type": decimal(18, 3)})
    [reason] = reasons(L.BACKWARD, new, old)
    assert "field 'amount'" in reason
    assert "scale changed from 2 to 3" in reason


def test_decimal_precision_narrowed_is_refused() -> None:
    old = record({"name": "amount", "type": decimal(18, 2)})
    new = record({"name": "amount", "type": decimal(10, 2)})
    [reason] = reasons(L.BACKWARD, new, old)
    assert "precision narrowed from 18 to 10" in reason


def test_record_renamed_is_a_name_mismatch_at_top_level() -> None:
    [reason] = reasons(L.BACKWARD, record(UCR, name="Other"), BASE)
    assert reason.endswith("top level: name_mismatch: expected: Consignment")


def test_transitive_compares_every_version_plain_only_the_latest() -> None:
    v1 = BASE
    v2 = WITH_DEFAULT  # note optional with default
    v3 = record(
        UCR, {"name": "note", "type": ["null", "string"], "default": None}, {"name": "x", "type": "int", "default": 0}
    )
    # v4 drops the default of "note"'s sibling: readable from v3 (has x) but not from v1 (no x, no default)
    v4 = record(UCR, {"name": "x", "type": "int"})
    assert reasons(L.BACKWARD, v4, v1, v2, v3) == []
    transitive = reasons(L.BACKWARD_TRANSITIVE, v4, v1, v2, v3)
    assert transitive
    assert all("field 'x'" in r for r in transitive)
    assert {r.split(":")[0] for r in transitive} == {
        "the new schema cannot read data written with version 2",
        "the new schema cannot read data written with version 1",
    }


def test_full_reports_both_directions() -> None:
    found = reasons(L.FULL, WITHOUT_DEFAULT, BASE)
    assert len(found) == 1  # backward fails (no default); forward is fine (old ignores the new field)
    found = reasons(L.FULL, record({"name": "count", "type": "long"}), record({"name": "count", "type": "int"}))
    assert found == [
        "version 1 cannot read data written with the new schema: field 'count': type_mismatch: "
        "reader type: int not compatible with writer type: long"
    ]


def test_schema_type_change_is_refused_under_every_level_but_none() -> None:
    json_schema = parse_schema(SchemaType.JSON, '{"type": "object"}')
    for level in CompatibilityLevel:
        found = reasons(level, json_schema, BASE)
        assert bool(found) == (level is not L.NONE)
        if found:
            assert "cannot change schema type" in found[0]


def test_no_previous_versions_is_always_compatible() -> None:
    for level in CompatibilityLevel:
        assert reasons(level, WITHOUT_DEFAULT) == []
