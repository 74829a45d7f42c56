"""Avro named-type resolution: the converters walk a schema whose later uses of a record or enum are
plain names, so every definition is indexed by full name before any value is converted."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PRIMITIVES = frozenset({"null", "boolean", "int", "long", "float", "double", "bytes", "string"})
NAMED = frozenset({"record", "error", "enum", "fixed"})


def full_name(name: str, namespace: str | None) -> str:
    """Avro's rule: a dotted name is already full; otherwise it lives in the enclosing namespace."""
    if "." in name or not namespace:
        return name
    return f"{namespace}.{name}"


def child_namespace(schema: Mapping[str, Any], namespace: str | None) -> str | None:
    """The namespace a named type gives the types nested in it."""
    name = full_name(str(schema["name"]), schema.get("namespace", namespace))
    return name.rpartition(".")[0] or None


class NameIndex:
    """Full name -> (definition, namespace it was defined in) for every named type of a schema."""

    def __init__(self, schema: Any) -> None:
        self.types: dict[str, tuple[Mapping[str, Any], str | None]] = {}
        self._collect(schema, None)

    def _collect(self, schema: Any, namespace: str | None) -> None:
        if isinstance(schema, list):
            for branch in schema:
                self._collect(branch, namespace)
            return
        if not isinstance(schema, Mapping):
            return
        kind = schema.get("type")
        if kind in NAMED:
            own = schema.get("namespace", namespace)
            name = full_name(str(schema["name"]), own)
            self.types[name] = (schema, own)
            inner = child_namespace(schema, namespace)
            for field in schema.get("fields", []):
                self._collect(field["type"], inner)
        elif kind == "array":
            self._collect(schema["items"], namespace)
        elif kind == "map":
            self._collect(schema["values"], namespace)
        elif isinstance(kind, list | Mapping):
            self._collect(kind, namespace)

    def resolve(self, schema: Any, namespace: str | None) -> tuple[Any, str | None]:
        """A type reference replaced by its definition; ``{"type": X}`` wrappers unwrapped."""
        while True:
            if isinstance(schema, str) and schema not in PRIMITIVES:
                name = full_name(schema, namespace)
                found = self.types.get(name) or self.types.get(schema)
                if found is None:
                    raise KeyError(f"unknown Avro type {schema!r}")
                schema, namespace = found
                continue
            if isinstance(schema, Mapping) and isinstance(schema.get("type"), list | Mapping):
                schema = schema["type"]
                continue
            if (
                isinstance(schema, Mapping)
                and isinstance(schema.get("type"), str)
                and schema["type"] not in NAMED | {"array", "map"}
                and "logicalType" not in schema
            ):
                schema = schema["type"]
                continue
            return schema, namespace
