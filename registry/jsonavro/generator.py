"""JSON Schema (draft 2020-12) -> Avro schema, following the mapping table of docs/specs-conventions.md.

The JSON Schema is the external contract and the Avro schema its wire twin, so the generator accepts only
the constructs the table maps and refuses anything else with the JSON pointer of the offending schema
node: a silent approximation would let the two schemas accept different documents.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from singlewindow.registry.jsonavro.errors import SchemaMappingError
from singlewindow.registry.jsonavro.patterns import pascal_case
from singlewindow.registry.jsonavro.scalars import AVRO_NAME, enum_type, integer_type, pointer_to, string_type

ANNOTATIONS = frozenset(
    {"title", "description", "$comment", "examples", "deprecated", "readOnly", "writeOnly", "default"}
)
ALLOWED: dict[str, frozenset[str]] = {
    "string": frozenset({"type", "minLength", "maxLength", "pattern", "format", "x-codelist", "x-decimal"}),
    "enum": frozenset({"type", "enum"}),
    "integer": frozenset({"type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}),
    "number": frozenset({"type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}),
    "boolean": frozenset({"type"}),
    "object": frozenset({"type", "properties", "required", "additionalProperties"}),
    "array": frozenset({"type", "items", "minItems", "maxItems", "uniqueItems"}),
    "$ref": frozenset({"$ref", "x-codelist"}),
}
ROOT_ONLY = frozenset({"$schema", "$id", "$defs"})
REFUSED_HINTS = {
    "oneOf": "unions of alternatives have no Avro twin in the mapping table",
    "anyOf": "unions of alternatives have no Avro twin in the mapping table",
    "allOf": "schema composition has no Avro twin in the mapping table",
    "not": "negated schemas have no Avro twin in the mapping table",
    "if": "conditional schemas have no Avro twin in the mapping table",
    "patternProperties": "pattern properties make an open map; use a closed object or an array",
    "const": "const is allowed only as an enum (closed set of strings)",
    "$defs": "$defs belong at the root of the schema only",
}


def avro_schema_from_json_schema(json_schema: Mapping[str, Any], name: str, namespace: str) -> dict[str, Any]:
    """The Avro record schema (as JSON-ready dict) that mirrors ``json_schema`` field by field."""
    if not AVRO_NAME.match(name):
        raise SchemaMappingError("", f"record name {name!r} is not a valid Avro name")
    return _Generator(json_schema, name, namespace).root_record()


class _Generator:
    def __init__(self, schema: Mapping[str, Any], name: str, namespace: str) -> None:
        self.schema = schema
        self.name = name
        self.namespace = namespace
        defs = schema.get("$defs", {})
        if not isinstance(defs, Mapping):
            raise SchemaMappingError("/$defs", "$defs must be an object")
        self.defs: Mapping[str, Any] = defs
        self.taken: set[str] = {name}  # every Avro short name already used or reserved
        self.def_names: dict[str, str] = {}  # $defs entry -> short name, once defined
        for def_name, definition in defs.items():
            if self._is_named(definition, pointer_to("/$defs", def_name), set()):
                if not AVRO_NAME.match(def_name):
                    raise SchemaMappingError(
                        pointer_to("/$defs", def_name), "a $defs name that becomes an Avro type must be a valid name"
                    )
                if def_name in self.taken:
                    raise SchemaMappingError(pointer_to("/$defs", def_name), f"name {def_name!r} is used twice")
                self.taken.add(def_name)

    def full(self, short: str) -> str:
        return f"{self.namespace}.{short}" if self.namespace else short

    def root_record(self) -> dict[str, Any]:
        if self.schema.get("type") != "object":
            raise SchemaMappingError("", "the document schema must be an object")
        for key in self.schema:
            if key in ROOT_ONLY:
                continue
            if key not in ALLOWED["object"] | ANNOTATIONS and not key.startswith("x-"):
                self._refuse(key, "")
        record = self._record(self.schema, "", self.name)
        return {"type": "record", "name": self.name, "namespace": self.namespace} | record

    # -- classification ------------------------------------------------------------------------------
    def _resolve(self, ref: object, pointer: str) -> tuple[str, Mapping[str, Any]]:
        if not isinstance(ref, str) or not ref.startswith("#/$defs/"):
            raise SchemaMappingError(pointer, f"$ref {ref!r} is not local: only '#/$defs/<Name>' is allowed")
        def_name = ref.removeprefix("#/$defs/")
        if "/" in def_name or def_name not in self.defs:
            raise SchemaMappingError(pointer, f"$ref {ref!r} names no entry of $defs")
        return def_name, self.defs[def_name]

    def _is_named(self, node: object, pointer: str, seen: set[str]) -> bool:
        """True when ``node`` maps to an Avro named type (record or enum)."""
        if not isinstance(node, Mapping):
            raise SchemaMappingError(pointer, "a schema must be an object")
        if "$ref" in node:
            def_name, target = self._resolve(node["$ref"], pointer)
            if def_name in seen:
                raise SchemaMappingError(pointer, f"$ref {node['$ref']!r} is a circular alias")
            return self._is_named(target, pointer_to("/$defs", def_name), seen | {def_name})
        return node.get("type") == "object" or "enum" in node

    # -- mapping -------------------------------------------------------------------------------------
    def _check_keys(self, node: Mapping[str, Any], kind: str, pointer: str) -> None:
        for key in node:
            if key in ALLOWED[kind] or key in ANNOTATIONS or (key.startswith("x-") and key != "x-decimal"):
                continue
            if key == "x-decimal" and kind == "string":
                continue
            self._refuse(key, pointer)

    def _refuse(self, key: str, pointer: str) -> None:
        hint = REFUSED_HINTS.get(key, "keyword outside the JSON/Avro mapping table")
        raise SchemaMappingError(pointer_to(pointer, key), f"{key!r} is not allowed here: {hint}")

    def map(self, node: object, pointer: str, suggested: str, parent: str) -> Any:
        """The Avro type of ``node``; ``suggested`` names an inline record or enum, ``parent`` its owner."""
        if not isinstance(node, Mapping):
            raise SchemaMappingError(pointer, "a schema must be an object")
        if "$ref" in node:
            self._check_keys(node, "$ref", pointer)
            return self._map_ref(node["$ref"], pointer)
        kind = node.get("type")
        if isinstance(kind, list):
            raise SchemaMappingError(pointer_to(pointer, "type"), "type arrays are not allowed: use one type")
        if kind is None:
            for key in REFUSED_HINTS:
                if key in node:
                    self._refuse(key, pointer)
            raise SchemaMappingError(pointer, "every schema needs a 'type' (or a local '$ref')")
        if kind == "string" and "enum" in node:
            self._check_keys(node, "enum", pointer)
            return enum_type(node, pointer, self._inline_name(suggested, parent, pointer))
        if "enum" in node:
            raise SchemaMappingError(pointer_to(pointer, "enum"), "enums must be of type string")
        if kind not in ALLOWED or kind in {"enum", "$ref"}:
            raise SchemaMappingError(pointer_to(pointer, "type"), f"type {kind!r} has no Avro twin")
        self._check_keys(node, kind, pointer)
        if kind == "string":
            return string_type(node, pointer)
        if kind == "integer":
            return integer_type(node)
        if kind == "number":
            return "double"
        if kind == "boolean":
            return "boolean"
        if kind == "array":
            if "items" not in node:
                raise SchemaMappingError(pointer, "an array needs 'items'")
            return {"type": "array", "items": self.map(node["items"], pointer_to(pointer, "items"), suggested, parent)}
        return self._record(node, pointer, self._inline_name(suggested, parent, pointer))

    def _map_ref(self, ref: object, pointer: str) -> Any:
        def_name, target = self._resolve(ref, pointer)
        target_pointer = pointer_to("/$defs", def_name)
        if def_name in self.def_names:
            return self.full(self.def_names[def_name])
        if not self._is_named(target, target_pointer, set()):
            return self.map(target, target_pointer, def_name, "")
        if "$ref" in target:
            return self._map_ref(target["$ref"], target_pointer)
        self.def_names[def_name] = def_name  # before the body: a recursive reference uses the name
        if target.get("type") == "object":
            self._check_keys(target, "object", target_pointer)
            return self._record(target, target_pointer, def_name)
        self._check_keys(target, "enum", target_pointer)
        if target.get("type") != "string":
            raise SchemaMappingError(pointer_to(target_pointer, "enum"), "enums must be of type string")
        return enum_type(target, target_pointer, def_name)

    def _inline_name(self, suggested: str, parent: str, pointer: str) -> str:
        base = pascal_case(suggested)
        for candidate in (base, parent + base):
            if candidate and AVRO_NAME.match(candidate) and candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
        raise SchemaMappingError(pointer, f"cannot name this inline type: {base!r} is taken; move it to $defs")

    def _record(self, node: Mapping[str, Any], pointer: str, name: str) -> dict[str, Any]:
        if node.get("additionalProperties") is not False:
            raise SchemaMappingError(
                pointer_to(pointer, "additionalProperties"), "objects must be closed: additionalProperties false"
            )
        properties = node.get("properties", {})
        required = node.get("required", [])
        if not isinstance(properties, Mapping):
            raise SchemaMappingError(pointer_to(pointer, "properties"), "properties must be an object")
        if not isinstance(required, list) or any(key not in properties for key in required):
            raise SchemaMappingError(pointer_to(pointer, "required"), "required must list declared properties only")
        record: dict[str, Any] = {"type": "record", "name": name}
        if isinstance(node.get("description"), str):
            record["doc"] = node["description"]
        record["fields"] = [
            self._field(prop, schema, pointer_to(pointer, "properties", prop), prop in required, name)
            for prop, schema in properties.items()
        ]
        return record

    def _field(self, prop: str, schema: object, pointer: str, required: bool, parent: str) -> dict[str, Any]:
        if not AVRO_NAME.match(prop):
            raise SchemaMappingError(pointer, f"property name {prop!r} is not a valid Avro field name")
        avro_type = self.map(schema, pointer, prop, parent)
        field: dict[str, Any] = {"name": prop}
        doc = self._doc(schema, pointer)
        if doc is not None:
            field["doc"] = doc
        if required:
            field["type"] = avro_type
        else:
            field["type"] = ["null", avro_type]
            field["default"] = None
        return field

    def _doc(self, schema: object, pointer: str) -> str | None:
        assert isinstance(schema, Mapping)
        description = schema.get("description")
        if isinstance(description, str):
            return description
        if "$ref" in schema:
            _, target = self._resolve(schema["$ref"], pointer)
            found = target.get("description")
            return found if isinstance(found, str) else None
        return None
