"""The reference JSON <-> Avro value conversion: walks the Avro schema alongside each value.

It resolves names and dispatches on the schema at every value, which makes it slow and obviously right. The
compiled converters (compiled.py) take its decisions once per schema; this walker stays the definition
they are tested against, words every refusal with the JSON pointer of the offending value, and converts
for schemas the compiler does not take.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from singlewindow.registry.jsonavro.errors import DatumConversionError
from singlewindow.registry.jsonavro.names import NameIndex, child_namespace
from singlewindow.registry.jsonavro.values import (
    date_from_avro,
    date_to_avro,
    decimal_from_avro,
    decimal_to_avro,
    primitive_from_avro,
    primitive_to_avro,
    timestamp_from_avro,
    timestamp_to_avro,
)

Convert = Callable[[Any, str | None, Any, str], Any]


def child(pointer: str, token: str | int) -> str:
    """``pointer`` extended by one RFC 6901-escaped token."""
    return f"{pointer}/{str(token).replace('~', '~0').replace('/', '~1')}"


def nullable(schema: Any) -> bool:
    """Whether a field type is a union with null (an optional JSON property)."""
    return isinstance(schema, list) and "null" in schema


class Walker:
    def __init__(self, names: NameIndex) -> None:
        self.names = names

    def _resolve(self, schema: Any, namespace: str | None, pointer: str) -> tuple[Any, str | None]:
        try:
            return self.names.resolve(schema, namespace)
        except KeyError as exc:
            raise DatumConversionError(pointer, str(exc.args[0])) from exc

    # -- JSON -> Avro --------------------------------------------------------------------------------
    def to_avro(self, schema: Any, namespace: str | None, value: Any, pointer: str) -> Any:
        schema, namespace = self._resolve(schema, namespace, pointer)
        if isinstance(schema, list):
            return self._union(schema, namespace, value, pointer, self.to_avro)
        if isinstance(schema, str):
            return primitive_to_avro(schema, value, pointer)
        kind, logical = schema["type"], schema.get("logicalType")
        if logical == "decimal":
            return decimal_to_avro(value, int(schema.get("scale", 0)), int(schema["precision"]), pointer)
        if logical == "timestamp-millis":
            return timestamp_to_avro(value, pointer)
        if logical == "date":
            return date_to_avro(value, pointer)
        if kind in {"record", "error"}:
            return self._record_to_avro(schema, namespace, value, pointer)
        if kind == "enum":
            if value not in schema["symbols"]:
                raise DatumConversionError(pointer, f"{value!r} is not one of {schema['symbols']}")
            return value
        if kind == "array":
            if not isinstance(value, list):
                raise DatumConversionError(pointer, "expected an array")
            return [self.to_avro(schema["items"], namespace, item, child(pointer, i)) for i, item in enumerate(value)]
        if kind == "map":
            if not isinstance(value, Mapping):
                raise DatumConversionError(pointer, "expected an object")
            return {k: self.to_avro(schema["values"], namespace, v, child(pointer, k)) for k, v in value.items()}
        raise DatumConversionError(pointer, f"Avro type {kind!r} has no JSON twin")

    def _record_to_avro(self, schema: Mapping[str, Any], namespace: str | None, value: Any, pointer: str) -> Any:
        if not isinstance(value, Mapping):
            raise DatumConversionError(pointer, "expected an object")
        inner = child_namespace(schema, namespace)
        fields = {field["name"]: field for field in schema["fields"]}
        unknown = sorted(set(value) - set(fields))
        if unknown:
            raise DatumConversionError(child(pointer, unknown[0]), "property not in the Avro schema")
        datum: dict[str, Any] = {}
        for name, field in fields.items():
            if name in value:
                datum[name] = self.to_avro(field["type"], inner, value[name], child(pointer, name))
            elif nullable(field["type"]):
                datum[name] = None
            else:
                raise DatumConversionError(child(pointer, name), "required property is missing")
        return datum

    def _union(self, branches: list[Any], namespace: str | None, value: Any, pointer: str, convert: Convert) -> Any:
        if value is None and "null" in branches:
            return None
        errors = []
        for branch in branches:
            if branch == "null":
                continue
            try:
                return convert(branch, namespace, value, pointer)
            except DatumConversionError as exc:
                errors.append(exc)
        if len(errors) == 1:
            raise errors[0]
        raise DatumConversionError(pointer, "value matches no branch of the union")

    # -- Avro -> JSON --------------------------------------------------------------------------------
    def from_avro(self, schema: Any, namespace: str | None, datum: Any, pointer: str) -> Any:
        schema, namespace = self._resolve(schema, namespace, pointer)
        if isinstance(schema, list):
            return self._union(schema, namespace, datum, pointer, self.from_avro)
        if isinstance(schema, str):
            return primitive_from_avro(schema, datum, pointer)
        kind, logical = schema["type"], schema.get("logicalType")
        if logical == "decimal":
            return decimal_from_avro(datum, int(schema.get("scale", 0)), pointer)
        if logical == "timestamp-millis":
            return timestamp_from_avro(datum, pointer)
        if logical == "date":
            return date_from_avro(datum, pointer)
        if kind in {"record", "error"}:
            if not isinstance(datum, Mapping):
                raise DatumConversionError(pointer, "expected a record")
            inner = child_namespace(schema, namespace)
            document: dict[str, Any] = {}
            for field in schema["fields"]:
                name = field["name"]
                value = datum.get(name)
                if value is None and nullable(field["type"]):
                    continue
                document[name] = self.from_avro(field["type"], inner, value, child(pointer, name))
            return document
        if kind == "enum":
            if datum not in schema["symbols"]:
                raise DatumConversionError(pointer, f"{datum!r} is not one of {schema['symbols']}")
            return datum
        if kind == "array":
            if not isinstance(datum, list):
                raise DatumConversionError(pointer, "expected an array")
            return [self.from_avro(schema["items"], namespace, v, child(pointer, i)) for i, v in enumerate(datum)]
        if kind == "map":
            if not isinstance(datum, Mapping):
                raise DatumConversionError(pointer, "expected a map")
            return {k: self.from_avro(schema["values"], namespace, v, child(pointer, k)) for k, v in datum.items()}
        raise DatumConversionError(pointer, f"Avro type {kind!r} has no JSON twin")
