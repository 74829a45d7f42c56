"""Keyword vocabulary of draft 2020-12 as the checker sees it, and small helpers over node shapes."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from singlewindow.registry.jsoncompat.model import Schema

ALL_TYPES = frozenset({"null", "boolean", "object", "array", "number", "integer", "string"})

DECIDED = frozenset(
    {
        "type", "enum", "const",
        "minLength", "maxLength", "pattern", "format",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
        "properties", "patternProperties", "additionalProperties", "required",
        "minProperties", "maxProperties", "dependentRequired",
        "prefixItems", "items", "minItems", "maxItems", "uniqueItems",
        "allOf", "anyOf", "oneOf", "not", "$ref",
    }
)  # fmt: skip
"""Assertion and applicator keywords that have their own rule."""

UNDECIDED = frozenset(
    {
        "if", "then", "else", "dependentSchemas", "propertyNames", "contains", "minContains",
        "maxContains", "unevaluatedProperties", "unevaluatedItems", "$dynamicRef", "$recursiveRef",
        "dependencies", "additionalItems",
    }
)  # fmt: skip
"""Assertions the checker does not reason about: a reader that adds or changes one is reported."""

ASSERTING = DECIDED | UNDECIDED


def is_trivially_true(node: Schema) -> bool:
    """True for ``true`` and for objects holding only annotations (they accept every instance)."""
    if node is True:
        return True
    return isinstance(node, Mapping) and not any(key in ASSERTING for key in node)


def declared_types(node: Mapping[str, Any]) -> frozenset[str]:
    """The ``type`` keyword as a set (all types when absent)."""
    value = node.get("type")
    if value is None:
        return ALL_TYPES
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(value)


def writer_types(node: Mapping[str, Any]) -> frozenset[str]:
    """The types a writer can really produce: a ``number`` with an integral ``multipleOf`` only yields
    integers (``4.0`` is an integer in JSON Schema)."""
    types = declared_types(node)
    step = node.get("multipleOf")
    integral = isinstance(step, int | float) and not isinstance(step, bool) and Decimal(str(step)) % 1 == 0
    if "number" in types and integral:
        return (types - {"number"}) | {"integer"}
    return types


def accepts_type(types: frozenset[str], name: str) -> bool:
    """Whether a type set admits instances of JSON type ``name`` (``number`` admits integers)."""
    return name in types or (name == "integer" and "number" in types)


def json_type_of(value: Any) -> str:
    """The JSON type name of a Python value decoded from JSON."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def enumerated_values(node: Mapping[str, Any]) -> list[Any] | None:
    """The finite set of values a node allows, when ``const``/``enum`` or its type makes it finite."""
    if "const" in node:
        return [node["const"]]
    if "enum" in node:
        return list(node["enum"])
    if "type" in node and declared_types(node) <= {"null", "boolean"}:
        values: list[Any] = []
        if "null" in declared_types(node):
            values.append(None)
        if "boolean" in declared_types(node):
            values.extend([False, True])
        return values
    return None


def shared_types(reader: Mapping[str, Any], writer: Mapping[str, Any], *names: str) -> bool:
    """Whether writer instances of any of ``names`` reach the reader's keywords for those types."""
    wtypes = declared_types(writer)
    rtypes = declared_types(reader)
    return any(accepts_type(wtypes, n) and accepts_type(rtypes, n) for n in names) or (
        "integer" in names and "number" in wtypes and "integer" in rtypes
    )
