"""Field-by-field comparison of a JSON Schema with an Avro schema, independent of the generator.

The structural test holds every shipped spec to it, and the registry can use it to refuse a pair of
schemas that do not describe the same documents: every JSON property must be an Avro field of the mapped
type (optional <-> nullable with default null) and every Avro field a JSON property.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from singlewindow.registry.jsonavro.names import NameIndex, child_namespace
from singlewindow.registry.jsonavro.patterns import DATE_PATTERN, TIMESTAMP_PATTERN
from singlewindow.registry.jsonavro.scalars import INT_MAX, INT_MIN


def twin_mismatches(json_schema: Mapping[str, Any], avro_schema: Any) -> list[str]:
    """Every place the two schemas disagree, as ``pointer: message``; empty when they are twins."""
    return _Twins(json_schema, avro_schema).compare(json_schema, avro_schema, None, "")


class _Twins:
    def __init__(self, json_schema: Mapping[str, Any], avro_schema: Any) -> None:
        self.defs: Mapping[str, Any] = json_schema.get("$defs", {})
        self.names = NameIndex(avro_schema)

    def _json(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        for _ in range(32):
            ref = node.get("$ref")
            if not isinstance(ref, str):
                break
            node = self.defs.get(ref.removeprefix("#/$defs/"), {})
        return node

    def compare(self, node: Mapping[str, Any], avro: Any, namespace: str | None, where: str) -> list[str]:
        node = self._json(node)
        try:
            avro, namespace = self.names.resolve(avro, namespace)
        except KeyError as exc:
            return [f"{where or '/'}: {exc.args[0]}"]
        expected = _expected_kind(node)
        actual = _avro_kind(avro)
        if expected != actual:
            return [f"{where or '/'}: JSON {expected} is Avro {actual}"]
        if expected == "record":
            return self._record(node, avro, namespace, where)
        if expected == "array":
            return self.compare(node.get("items", {}), avro["items"], namespace, f"{where}/items")
        if expected == "enum" and list(node["enum"]) != list(avro["symbols"]):
            return [f"{where or '/'}: enum values {node['enum']} differ from Avro symbols {avro['symbols']}"]
        return []

    def _record(self, node: Mapping[str, Any], avro: Mapping[str, Any], namespace: str | None, where: str) -> list[str]:
        found: list[str] = []
        properties: Mapping[str, Any] = node.get("properties", {})
        required = set(node.get("required", []))
        fields = {field["name"]: field for field in avro.get("fields", [])}
        inner = child_namespace(avro, namespace)
        for name in sorted(properties.keys() - fields.keys()):
            found.append(f"{where}/{name}: JSON property has no Avro field")
        for name in sorted(fields.keys() - properties.keys()):
            found.append(f"{where}/{name}: Avro field has no JSON property")
        for name in [n for n in properties if n in fields]:
            field_type, here = fields[name]["type"], f"{where}/{name}"
            nullable = isinstance(field_type, list) and "null" in field_type
            if name in required and nullable:
                found.append(f"{here}: required in JSON but nullable in Avro")
                continue
            if name not in required:
                if not (nullable and len(field_type) == 2 and fields[name].get("default", "absent") is None):
                    found.append(f"{here}: optional in JSON but not ['null', T] with default null in Avro")
                    continue
                field_type = next(branch for branch in field_type if branch != "null")
            found += self.compare(properties[name], field_type, inner, here)
        return found


def _expected_kind(node: Mapping[str, Any]) -> str:
    kind = node.get("type")
    if kind == "object":
        return "record"
    if kind == "array":
        return "array"
    if kind == "string":
        if "enum" in node:
            return "enum"
        if "x-decimal" in node:
            spec = node["x-decimal"]
            return f"decimal({spec.get('precision')},{spec.get('scale')})"
        if node.get("format") == "date-time" and node.get("pattern") == TIMESTAMP_PATTERN:
            return "timestamp-millis"
        if node.get("format") == "date" and node.get("pattern") == DATE_PATTERN:
            return "date"
        return "string"
    if kind == "integer":
        low, high = node.get("minimum"), node.get("maximum")
        fits = low is not None and high is not None and low >= INT_MIN and high <= INT_MAX
        return "int" if fits else "long"
    if kind == "number":
        return "double"
    if kind == "boolean":
        return "boolean"
    return f"unmapped {kind!r}"


def _avro_kind(avro: Any) -> str:
    if isinstance(avro, str):
        return avro
    if isinstance(avro, list):
        return "union " + "|".join(_avro_kind(branch) for branch in avro)
    kind, logical = avro.get("type"), avro.get("logicalType")
    if logical == "decimal" and kind == "bytes":
        return f"decimal({avro.get('precision')},{avro.get('scale', 0)})"
    if (kind, logical) in {("long", "timestamp-millis"), ("int", "date")}:
        return str(logical)
    return str(kind)
