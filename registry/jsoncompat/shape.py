"""A fast shape check of the keywords the checker reads, so bad input fails with a clear error.

Full meta-schema validation costs ~100 ms on a 1,000-line schema (more than the comparison itself)
and is the registry's job when a schema is registered; here only the shapes the rules rely on are
checked, in one pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from singlewindow.registry.jsoncompat.keywords import ALL_TYPES
from singlewindow.registry.jsoncompat.model import escape


class InvalidSchemaError(ValueError):
    """A schema handed to the checker has a keyword of the wrong shape."""


COUNTS = frozenset({"minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"})
NUMBERS = frozenset({"minimum", "maximum", "multipleOf"})
STRINGS = frozenset({"pattern", "format", "$ref", "$anchor"})
SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
SCHEMA_LISTS = frozenset({"prefixItems", "allOf", "anyOf", "oneOf"})
SCHEMAS = frozenset(
    {"additionalProperties", "not", "additionalItems", "if", "then", "else", "contains", "propertyNames",
     "unevaluatedProperties", "unevaluatedItems"}
)  # fmt: skip


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_names(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _problem(key: str, value: Any) -> str | None:
    """What is wrong with one keyword's value (subschemas are checked by the walk), or None."""
    if key == "type":
        names = [value] if isinstance(value, str) else value
        ok = isinstance(names, list) and all(isinstance(n, str) and n in ALL_TYPES for n in names)
        return None if ok else f"must be one of {sorted(ALL_TYPES)} or a list of them"
    if key in COUNTS:
        ok = _is_number(value) and value >= 0 and float(value).is_integer()
        return None if ok else "must be a non-negative integer"
    if key in NUMBERS:
        ok = _is_number(value) and (key != "multipleOf" or value > 0)
        return None if ok else "must be a number" + (" above 0" if key == "multipleOf" else "")
    if key in ("exclusiveMinimum", "exclusiveMaximum"):
        return None if _is_number(value) or isinstance(value, bool) else "must be a number"
    if key in STRINGS:
        return None if isinstance(value, str) else "must be a string"
    if key == "enum":
        return None if isinstance(value, list) else "must be an array"
    if key == "required":
        return None if _is_names(value) else "must be an array of strings"
    if key == "uniqueItems":
        return None if isinstance(value, bool) else "must be a boolean"
    if key == "dependentRequired":
        ok = isinstance(value, Mapping) and all(_is_names(v) for v in value.values())
        return None if ok else "must map names to arrays of strings"
    if key in SCHEMA_MAPS:
        return None if isinstance(value, Mapping) else "must be an object of schemas"
    if key in SCHEMA_LISTS:
        return None if isinstance(value, list) and (value or key == "prefixItems") else "must be a non-empty array"
    return None


def check_shape(role: str, node: Any, path: tuple[str, ...] = ()) -> None:
    """Raise ``InvalidSchemaError`` naming the pointer of the first malformed keyword."""
    if isinstance(node, bool):
        return
    if not isinstance(node, dict | Mapping):
        raise InvalidSchemaError(f"{role} schema at {_pointer(path)}: a schema must be an object or a boolean")
    for key, value in node.items():
        problem = _problem(key, value)
        if problem is not None:
            raise InvalidSchemaError(f"{role} schema at {_pointer((*path, key))}: {key} {problem}")
        if key in SCHEMA_MAPS:
            for name, sub in value.items():
                check_shape(role, sub, (*path, key, name))
        elif key in SCHEMA_LISTS or (key == "items" and isinstance(value, list)):
            for index, sub in enumerate(value):
                check_shape(role, sub, (*path, key, str(index)))
        elif key in SCHEMAS or key == "items":
            check_shape(role, value, (*path, key))


def _pointer(path: tuple[str, ...]) -> str:
    """The JSON pointer of a path, built only when an error is reported."""
    return "".join("/" + escape(token) for token in path) or "#"
