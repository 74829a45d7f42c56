"""The seam H4 calls, realistic evolutions of a real spec, input errors and speed."""

from __future__ import annotations

import copy
import dataclasses
import json
from importlib.resources import files
from typing import Any

import pytest

from singlewindow.registry.jsoncompat import Incompatibility, InvalidSchemaError, check


def spec(name: str) -> dict[str, Any]:
    text = (files("singlewindow.message_specs") / "documents" / name / "schema.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def backward(new: Any, old: Any) -> set[tuple[str, str]]:
    return {(i.pointer, i.rule) for i in check(new, old)}


def forward(new: Any, old: Any) -> set[tuple[str, str]]:
    return {(i.pointer, i.rule) for i in check(old, new)}


@pytest.fixture
def old() -> dict[str, Any]:
    return spec("goods-declaration")


def test_unchanged_spec_is_fully_compatible(old: dict[str, Any]) -> None:
    new = copy.deepcopy(old)
    new["description"] = "reworded"
    assert backward(new, old) == set() and forward(new, old) == set()


def test_optional_field_added_to_closed_object(old: dict[str, Any]) -> None:
    new = copy.deepcopy(old)
    new["$defs"]["Address"]["properties"]["district"] = {"type": "string", "maxLength": 70}
    assert backward(new, old) == set()
    assert forward(new, old) == {("/$defs/Address/properties/district", "property-removed-closed-model")}


def test_required_field_added(old: dict[str, Any]) -> None:
    new = copy.deepcopy(old)
    new["$defs"]["Address"]["required"].append("postcode")
    assert backward(new, old) == {("/$defs/Address/required", "required-added")}
    assert forward(new, old) == set()


def test_enum_narrowed(old: dict[str, Any]) -> None:
    new = copy.deepcopy(old)
    new["$defs"]["Direction"]["enum"].remove("TR")
    assert backward(new, old) == {("/$defs/Direction/enum", "enum-narrowed")}
    assert forward(new, old) == set()


def test_max_length_lengthened(old: dict[str, Any]) -> None:
    new = copy.deepcopy(old)
    new["$defs"]["Address"]["properties"]["city"]["maxLength"] = 100
    assert backward(new, old) == set()
    assert forward(new, old) == {("/$defs/Address/properties/city/maxLength", "max-length-decreased")}


def test_pattern_changed(old: dict[str, Any]) -> None:
    new = copy.deepcopy(old)
    new["$defs"]["Address"]["properties"]["country"]["pattern"] = "^[A-Z]{3}$"
    assert backward(new, old) == {("/$defs/Address/properties/country/pattern", "pattern-changed")}


def test_field_type_widened_through_a_union(old: dict[str, Any]) -> None:
    new = copy.deepcopy(old)
    new["$defs"]["Address"]["properties"]["postcode"] = {
        "anyOf": [old["$defs"]["Address"]["properties"]["postcode"], {"type": "null"}]
    }
    assert backward(new, old) == set()
    assert forward(new, old) == {("/$defs/Address/properties/postcode/type", "type-changed")}


def test_result_is_sorted_unique_and_frozen() -> None:
    found = check({"type": "string", "maxLength": 1, "minLength": 5}, {"type": "string"})
    assert [i.pointer for i in found] == ["/maxLength", "/minLength"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        found[0].rule = "x"  # type: ignore[misc]
    assert isinstance(found[0], Incompatibility)


@pytest.mark.parametrize(
    ("schema", "where"),
    [
        ({"type": "strin"}, "/type"),
        ({"properties": {"a": {"maxLength": -1}}}, "/properties/a/maxLength"),
        ({"required": "a"}, "/required"),
        ({"anyOf": []}, "/anyOf"),
        ({"items": 3}, "/items"),
        ({"multipleOf": 0}, "/multipleOf"),
    ],
)
def test_malformed_schema_names_the_pointer(schema: Any, where: str) -> None:
    with pytest.raises(InvalidSchemaError, match=f"reader schema at {where}"):
        check(schema, {})


def test_non_schema_input_is_refused() -> None:
    with pytest.raises(InvalidSchemaError, match="writer schema must be a JSON object or boolean"):
        check({}, "not a schema")


@pytest.mark.parametrize("name", ["consignment", "view-customs", "goods-declaration"])
def test_thousand_line_schemas_every_max_length_loosened(name: str) -> None:
    """Widening every maxLength of a real spec is BACKWARD compatible and FORWARD incompatible.

    How long this takes is measured by ``nsw bench registry``, not asserted here (no timed tests).
    """
    old = spec(name)
    new = copy.deepcopy(old)

    def loosen(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "maxLength":
                    node[key] = value + 1
                else:
                    loosen(value)
        elif isinstance(node, list):
            for item in node:
                loosen(item)

    loosen(new)
    assert check(new, old) == []
    assert {finding.rule for finding in check(old, new)} == {"max-length-decreased"}
