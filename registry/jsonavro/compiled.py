"""Compiled JSON <-> Avro converters: the walker's decisions taken once per schema instead of once per value.

The walker resolves names and dispatches on the schema at every value of every document (a fifth of the
hub's CPU went there). Here every node of a schema becomes a closure once, so converting a document is a
walk over the document alone, and a field whose value passes unchanged (a string, a boolean, an absent
optional) is checked inline without a call. A refusal carries no pointer or wording: the caller runs the
walker again, which finds the first bad value and words the error exactly as it always has. So these
closures only have to refuse where the walker refuses, raise what it raises, and otherwise return what it
returns (tests/unit/specs/test_jsonavro_compiled.py holds them to that).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from itertools import repeat
from typing import Any

from singlewindow.registry.jsonavro.errors import DatumConversionError
from singlewindow.registry.jsonavro.names import NameIndex, child_namespace, full_name
from singlewindow.registry.jsonavro.values import (
    INTEGER_BITS,
    date_from_avro,
    date_to_avro,
    decimal_from_avro,
    decimal_to_avro,
    timestamp_from_avro,
    timestamp_to_avro,
)
from singlewindow.registry.jsonavro.walker import nullable

Convert = Callable[[Any], Any]
# A compiled node: its converter, and the types whose values it returns unchanged (checked inline by the
# record or array that holds the node, instead of calling it).
Node = tuple[Convert, tuple[type, ...]]
_NONE = type(None)
# What a malformed schema makes the compiler raise; the walker converts with such a schema instead.
MALFORMED = (LookupError, TypeError, ValueError, AttributeError)


def compile_converter(names: NameIndex, schema: Any, *, to_avro: bool, tag_unions: bool = False) -> Convert | None:
    """The converter of ``schema`` in one direction, or None if the schema is malformed (the walker takes it).

    ``tag_unions`` gives the value of an optional record, array or map as fastavro's ``(branch name, value)``
    tuple: fastavro's writer otherwise finds a union's branch by validating the value against each branch,
    which for nested optional records validates the same values again at every level.
    """
    try:
        return _Compiler(names, to_avro, tag_unions).node(schema, None)[0]
    except MALFORMED:
        return None


def _refuse(value: Any) -> Any:
    raise DatumConversionError("", "refused")


def _exactly(kind: type, value: Any) -> Any:
    if isinstance(value, kind):
        return value
    raise DatumConversionError("", f"expected a {kind.__name__}")


def _null(value: Any) -> None:
    if value is not None:
        raise DatumConversionError("", "expected null")


def _floating(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise DatumConversionError("", "expected a number")


def _integer(bits: int) -> Convert:
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1)

    def convert(value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and low <= value < high:
            return value
        raise DatumConversionError("", "expected an integer in range")

    return convert


def _enum(symbols: list[str]) -> Convert:
    def convert(value: Any) -> Any:
        if value in symbols:
            return value
        raise DatumConversionError("", "not a symbol")

    return convert


class _Compiler:
    """Compiles the nodes of one schema in one direction; records are compiled once (and may recurse)."""

    def __init__(self, names: NameIndex, to_avro: bool, tag_unions: bool) -> None:
        self.names, self.to_avro, self.tag_unions = names, to_avro, tag_unions
        self.records: dict[tuple[int, str | None], Convert] = {}

    def node(self, schema: Any, namespace: str | None) -> Node:
        schema, namespace = self.names.resolve(schema, namespace)
        if isinstance(schema, list):
            return self._union(schema, namespace)
        if isinstance(schema, str):
            return self._primitive(schema)
        kind, logical = schema["type"], schema.get("logicalType")
        if logical == "decimal":
            scale = int(schema.get("scale", 0))
            if self.to_avro:
                return partial(decimal_to_avro, scale=scale, precision=int(schema["precision"])), ()
            return partial(decimal_from_avro, scale=scale), ()
        if logical == "timestamp-millis":
            return (timestamp_to_avro if self.to_avro else timestamp_from_avro), ()
        if logical == "date":
            return (date_to_avro if self.to_avro else date_from_avro), ()
        if kind in {"record", "error"}:
            return self._record(schema, namespace), ()
        if kind == "enum":
            return _enum(schema["symbols"]), ()
        if kind == "array":
            return _array(self.node(schema["items"], namespace)), ()
        if kind == "map":
            return _map(self.node(schema["values"], namespace)[0]), ()
        return _refuse, ()

    def _primitive(self, kind: str) -> Node:
        if kind == "string":
            return partial(_exactly, str), (str,)
        if kind == "boolean":
            return partial(_exactly, bool), (bool,)
        if kind in INTEGER_BITS:
            return _integer(INTEGER_BITS[kind]), ()
        if kind in {"float", "double"}:
            return _floating, ()
        if kind == "null" and not self.to_avro:
            return _null, ()
        return _refuse, ()

    def _union(self, branches: list[Any], namespace: str | None) -> Node:
        has_null = "null" in branches
        options = [(branch, self.node(branch, namespace)) for branch in branches if branch != "null"]
        if has_null and len(options) == 1:
            branch, (convert, plain) = options[0]
            tag = self._tag(branch, namespace)
            return _optional(convert, tag), (() if tag is not None or not plain else (*plain, _NONE))
        return _first_branch(has_null, [convert for _, (convert, _) in options]), ()

    def _tag(self, branch: Any, namespace: str | None) -> str | None:
        """fastavro's name of a union branch worth naming (see ``tag_unions``), else None."""
        if not (self.to_avro and self.tag_unions):
            return None
        schema, namespace = self.names.resolve(branch, namespace)
        if not isinstance(schema, Mapping) or "logicalType" in schema:
            return None
        if schema["type"] == "record":
            return full_name(str(schema["name"]), schema.get("namespace", namespace))
        return str(schema["type"]) if schema["type"] in {"array", "map"} else None

    def _record(self, schema: Mapping[str, Any], namespace: str | None) -> Convert:
        key = (id(schema), namespace)
        if key in self.records:  # a record that contains itself, or a type used twice
            return self.records[key]
        inner = child_namespace(schema, namespace)
        table: list[tuple[str, Convert, tuple[type, ...], bool]] = []
        if self.to_avro:
            fields = {field["name"]: field for field in schema["fields"]}
            convert = self.records[key] = _record_to_avro(table, frozenset(fields))
            listed = list(fields.items())
        else:
            convert = self.records[key] = _record_from_avro(table)
            listed = [(field["name"], field) for field in schema["fields"]]
        for name, field in listed:
            table.append((name, *self.node(field["type"], inner), nullable(field["type"])))
        return convert


def _record_to_avro(table: list[tuple[str, Convert, tuple[type, ...], bool]], names: frozenset[str]) -> Convert:
    def convert(value: Any) -> Any:
        if type(value) is not dict and not isinstance(value, Mapping):
            raise DatumConversionError("", "expected an object")
        if not names.issuperset(value):
            sorted(set(value) - names)  # the walker sorts the unknown names: keys that do not sort raise here too
            raise DatumConversionError("", "property not in the Avro schema")
        datum: dict[str, Any] = {}
        for name, field, plain, optional in table:
            if name in value:
                item = value[name]
                datum[name] = item if isinstance(item, plain) else field(item)
            elif optional:
                datum[name] = None
            else:
                raise DatumConversionError("", "required property is missing")
        return datum

    return convert


def _record_from_avro(table: list[tuple[str, Convert, tuple[type, ...], bool]]) -> Convert:
    def convert(datum: Any) -> Any:
        if type(datum) is not dict and not isinstance(datum, Mapping):
            raise DatumConversionError("", "expected a record")
        document: dict[str, Any] = {}
        for name, field, plain, optional in table:
            value = datum.get(name)
            if value is None and optional:
                continue
            document[name] = value if isinstance(value, plain) else field(value)
        return document

    return convert


def _array(items: Node) -> Convert:
    item, plain = items

    def convert(value: Any) -> Any:
        if not isinstance(value, list):
            raise DatumConversionError("", "expected an array")
        if plain and all(map(isinstance, value, repeat(plain))):
            return list(value)
        return [item(entry) for entry in value]

    return convert


def _map(values: Convert) -> Convert:
    def convert(value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise DatumConversionError("", "expected an object")
        return {key: values(entry) for key, entry in value.items()}

    return convert


def _optional(convert: Convert, tag: str | None) -> Convert:
    if tag is None:
        return lambda value: None if value is None else convert(value)
    return lambda value: None if value is None else (tag, convert(value))


def _first_branch(has_null: bool, branches: list[Convert]) -> Convert:
    def convert(value: Any) -> Any:
        if value is None and has_null:
            return None
        for branch in branches:
            try:
                return branch(value)
            except DatumConversionError:
                continue
        raise DatumConversionError("", "value matches no branch of the union")

    return convert
