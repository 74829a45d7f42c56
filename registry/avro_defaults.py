"""Field defaults must be valid for their type: Apache avro parses ``"type": "int", "default": "x"``
without complaint, but a reader that falls back to that default would fail at run time, so the registry
refuses such a schema as Confluent's Java parser does. Unions take the first branch's type (Avro spec).
"""

from __future__ import annotations

from typing import Any

import avro.schema

_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)


def check_defaults(schema: avro.schema.Schema) -> list[str]:
    """Every field whose default does not fit its type, as ``path: reason`` lines."""
    problems: list[str] = []
    _walk(schema, "", problems, set())
    return problems


def _walk(schema: avro.schema.Schema, path: str, problems: list[str], seen: set[str]) -> None:
    if isinstance(schema, avro.schema.RecordSchema):
        if schema.fullname in seen:
            return
        seen.add(schema.fullname)
        for field in schema.fields:
            field_path = f"{path}.{field.name}" if path else field.name
            if field.has_default:
                reason = default_problem(field.type, field.default)
                if reason is not None:
                    problems.append(f"field '{field_path}': default {field.default!r} is invalid: {reason}")
            _walk(field.type, field_path, problems, seen)
    elif isinstance(schema, avro.schema.ArraySchema):
        _walk(schema.items, f"{path}[]", problems, seen)
    elif isinstance(schema, avro.schema.MapSchema):
        _walk(schema.values, f"{path}{{}}", problems, seen)
    elif isinstance(schema, avro.schema.UnionSchema):
        for branch in schema.schemas:
            _walk(branch, path, problems, seen)


def default_problem(schema: avro.schema.Schema, value: Any) -> str | None:
    """Why ``value`` (a default as written in JSON) is not valid for ``schema``, or None if it is."""
    kind = schema.type
    if isinstance(schema, avro.schema.UnionSchema):
        first = schema.schemas[0]
        reason = default_problem(first, value)
        return None if reason is None else f"a union default must match its first branch ({first.type}): {reason}"
    if kind == "null":
        return None if value is None else "expected null"
    if kind == "boolean":
        return None if isinstance(value, bool) else "expected a boolean"
    if kind in ("int", "long"):
        low, high = _INT32 if kind == "int" else _INT64
        if isinstance(value, bool) or not isinstance(value, int):
            return f"expected an integer ({kind})"
        return None if low <= value <= high else f"{value} is out of range for {kind}"
    if kind in ("float", "double"):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else f"expected a number ({kind})"
    if kind == "string":
        return None if isinstance(value, str) else "expected a string"
    if kind in ("bytes", "fixed"):
        return _bytes_problem(schema, value)
    if isinstance(schema, avro.schema.EnumSchema):
        if isinstance(value, str) and value in schema.symbols:
            return None
        return f"expected one of the symbols {list(schema.symbols)}"
    if isinstance(schema, avro.schema.ArraySchema):
        if not isinstance(value, list):
            return "expected an array"
        return _first([default_problem(schema.items, item) for item in value])
    if isinstance(schema, avro.schema.MapSchema):
        if not isinstance(value, dict):
            return "expected an object (map)"
        return _first([default_problem(schema.values, item) for item in value.values()])
    if isinstance(schema, avro.schema.RecordSchema):
        return _record_problem(schema, value)
    return None


def _bytes_problem(schema: avro.schema.Schema, value: Any) -> str | None:
    if not isinstance(value, str) or any(ord(ch) > 255 for ch in value):
        return f"expected a string of code points 0-255 ({schema.type})"
    if isinstance(schema, avro.schema.FixedSchema) and len(value) != schema.size:
        return f"expected exactly {schema.size} bytes, got {len(value)}"
    return None


def _record_problem(schema: avro.schema.RecordSchema, value: Any) -> str | None:
    if not isinstance(value, dict):
        return f"expected an object for record {schema.name}"
    for field in schema.fields:
        if field.name in value:
            reason = default_problem(field.type, value[field.name])
            if reason is not None:
                return f"{field.name}: {reason}"
        elif not field.has_default:
            return f"{field.name}: missing and has no default"
    return None


def _first(reasons: list[str | None]) -> str | None:
    return next((reason for reason in reasons if reason is not None), None)
