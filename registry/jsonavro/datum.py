"""JSON document <-> Avro datum, walking the Avro schema.

The JSON side carries decimals as strings with a fixed scale, timestamps as RFC 3339 UTC strings with
milliseconds and dates as ISO strings; the Avro side carries ``Decimal``, aware ``datetime`` and ``date``,
which fastavro encodes as the logical types. Optional fields absent from the JSON are null in Avro and
absent again on the way back, so a valid document survives the round trip unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from singlewindow.registry.jsonavro.errors import DatumConversionError
from singlewindow.registry.jsonavro.names import NameIndex, child_namespace

_TIMESTAMP = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})\.([0-9]{3})Z$")
_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_DECIMAL = re.compile(r"^-?[0-9]+(?:\.([0-9]+))?$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DATE = date(1970, 1, 1)


def to_avro_datum(avro_schema: Any, document: Any) -> Any:
    """The Avro datum (for fastavro) of a JSON document valid under the schema's JSON twin."""
    return _walker(avro_schema).to_avro(avro_schema, None, document, "")


def from_avro_datum(avro_schema: Any, datum: Any) -> Any:
    """The JSON document of an Avro datum as fastavro reads it (logical types on or off)."""
    return _walker(avro_schema).from_avro(avro_schema, None, datum, "")


_WALKERS: dict[int, tuple[Any, _Walker]] = {}
_MAX_WALKERS = 256


def _walker(schema: Any) -> _Walker:
    """One walker (its name index) per schema object: callers convert many documents with few schemas, and
    indexing a large schema on every call cost the hub about a fifth of its CPU (nsw bench hub, py-spy).
    The entry keeps the schema alive, so its id cannot be reused while cached. Schemas are never mutated."""
    entry = _WALKERS.get(id(schema))
    if entry is None or entry[0] is not schema:
        if len(_WALKERS) >= _MAX_WALKERS:
            _WALKERS.clear()
        entry = (schema, _Walker(schema))
        _WALKERS[id(schema)] = entry
    return entry[1]


def _child(pointer: str, token: str | int) -> str:
    return f"{pointer}/{str(token).replace('~', '~0').replace('/', '~1')}"


def _nullable(schema: Any) -> bool:
    return isinstance(schema, list) and "null" in schema


class _Walker:
    def __init__(self, schema: Any) -> None:
        self.names = NameIndex(schema)

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
            return _primitive_to_avro(schema, value, pointer)
        kind, logical = schema["type"], schema.get("logicalType")
        if logical == "decimal":
            return _decimal_to_avro(value, int(schema.get("scale", 0)), int(schema["precision"]), pointer)
        if logical == "timestamp-millis":
            return _timestamp_to_avro(value, pointer)
        if logical == "date":
            return _date_to_avro(value, pointer)
        if kind in {"record", "error"}:
            return self._record_to_avro(schema, namespace, value, pointer)
        if kind == "enum":
            if value not in schema["symbols"]:
                raise DatumConversionError(pointer, f"{value!r} is not one of {schema['symbols']}")
            return value
        if kind == "array":
            if not isinstance(value, list):
                raise DatumConversionError(pointer, "expected an array")
            return [self.to_avro(schema["items"], namespace, item, _child(pointer, i)) for i, item in enumerate(value)]
        if kind == "map":
            if not isinstance(value, Mapping):
                raise DatumConversionError(pointer, "expected an object")
            return {k: self.to_avro(schema["values"], namespace, v, _child(pointer, k)) for k, v in value.items()}
        raise DatumConversionError(pointer, f"Avro type {kind!r} has no JSON twin")

    def _record_to_avro(self, schema: Mapping[str, Any], namespace: str | None, value: Any, pointer: str) -> Any:
        if not isinstance(value, Mapping):
            raise DatumConversionError(pointer, "expected an object")
        inner = child_namespace(schema, namespace)
        fields = {field["name"]: field for field in schema["fields"]}
        unknown = sorted(set(value) - set(fields))
        if unknown:
            raise DatumConversionError(_child(pointer, unknown[0]), "property not in the Avro schema")
        datum: dict[str, Any] = {}
        for name, field in fields.items():
            if name in value:
                datum[name] = self.to_avro(field["type"], inner, value[name], _child(pointer, name))
            elif _nullable(field["type"]):
                datum[name] = None
            else:
                raise DatumConversionError(_child(pointer, name), "required property is missing")
        return datum

    def _union(self, branches: list[Any], namespace: str | None, value: Any, pointer: str, convert: Any) -> Any:
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
            return _primitive_from_avro(schema, datum, pointer)
        kind, logical = schema["type"], schema.get("logicalType")
        if logical == "decimal":
            return _decimal_from_avro(datum, int(schema.get("scale", 0)), pointer)
        if logical == "timestamp-millis":
            return _timestamp_from_avro(datum, pointer)
        if logical == "date":
            return _date_from_avro(datum, pointer)
        if kind in {"record", "error"}:
            if not isinstance(datum, Mapping):
                raise DatumConversionError(pointer, "expected a record")
            inner = child_namespace(schema, namespace)
            document: dict[str, Any] = {}
            for field in schema["fields"]:
                name = field["name"]
                value = datum.get(name)
                if value is None and _nullable(field["type"]):
                    continue
                document[name] = self.from_avro(field["type"], inner, value, _child(pointer, name))
            return document
        if kind == "enum":
            if datum not in schema["symbols"]:
                raise DatumConversionError(pointer, f"{datum!r} is not one of {schema['symbols']}")
            return datum
        if kind == "array":
            if not isinstance(datum, list):
                raise DatumConversionError(pointer, "expected an array")
            return [self.from_avro(schema["items"], namespace, v, _child(pointer, i)) for i, v in enumerate(datum)]
        if kind == "map":
            if not isinstance(datum, Mapping):
                raise DatumConversionError(pointer, "expected a map")
            return {k: self.from_avro(schema["values"], namespace, v, _child(pointer, k)) for k, v in datum.items()}
        raise DatumConversionError(pointer, f"Avro type {kind!r} has no JSON twin")


_INTEGER_BITS = {"int": 32, "long": 64}
_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "int": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
}


def _primitive_to_avro(kind: str, value: Any, pointer: str) -> Any:
    accepted = _PYTHON_TYPES.get(kind)
    if accepted is None:
        raise DatumConversionError(pointer, f"Avro type {kind!r} has no JSON twin")
    if not isinstance(value, accepted) or (kind != "boolean" and isinstance(value, bool)):
        raise DatumConversionError(pointer, f"expected a JSON value for Avro {kind}, got {type(value).__name__}")
    bits = _INTEGER_BITS.get(kind)
    if bits is not None and not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
        raise DatumConversionError(pointer, f"{value} is out of range for Avro {kind}")
    if kind in {"float", "double"} and isinstance(value, int | float):
        return float(value)
    return value


def _primitive_from_avro(kind: str, datum: Any, pointer: str) -> Any:
    if kind == "null":
        if datum is not None:
            raise DatumConversionError(pointer, "expected null")
        return None
    return _primitive_to_avro(kind, datum, pointer)


def _decimal_to_avro(value: Any, scale: int, precision: int, pointer: str) -> Decimal:
    match = _DECIMAL.match(value) if isinstance(value, str) else None
    if match is None:
        raise DatumConversionError(pointer, "expected a decimal string such as '12.50'")
    if len(match[1] or "") != scale:
        raise DatumConversionError(pointer, f"expected exactly {scale} digits after the decimal point")
    number = Decimal(value)
    if len(number.as_tuple().digits) > precision:
        raise DatumConversionError(pointer, f"more than {precision} significant digits")
    return number


def _decimal_from_avro(datum: Any, scale: int, pointer: str) -> str:
    if not isinstance(datum, Decimal):
        raise DatumConversionError(pointer, "expected a Decimal (read with logical types)")
    return f"{datum.quantize(Decimal(1).scaleb(-scale)):f}" if scale else f"{datum:f}"


def _timestamp_to_avro(value: Any, pointer: str) -> datetime:
    match = _TIMESTAMP.match(value) if isinstance(value, str) else None
    if match is None:
        raise DatumConversionError(pointer, "expected a UTC timestamp such as 2026-03-01T10:00:00.123Z")
    year, month, day, hour, minute, second, millis = (int(part) for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, millis * 1000, tzinfo=UTC)
    except ValueError as exc:
        raise DatumConversionError(pointer, f"not a real instant: {exc}") from exc


def _timestamp_from_avro(datum: Any, pointer: str) -> str:
    if isinstance(datum, int) and not isinstance(datum, bool):
        datum = _EPOCH + timedelta(milliseconds=datum)
    if not isinstance(datum, datetime) or datum.tzinfo is None:
        raise DatumConversionError(pointer, "expected an aware datetime or epoch milliseconds")
    moment = datum.astimezone(UTC)
    # %Y does not pad years below 1000 on every platform; the pattern needs four digits
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}.{moment.microsecond // 1000:03d}Z"
    )


def _date_to_avro(value: Any, pointer: str) -> date:
    match = _DATE.match(value) if isinstance(value, str) else None
    if match is None:
        raise DatumConversionError(pointer, "expected a date such as 2026-03-01")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise DatumConversionError(pointer, f"not a real date: {exc}") from exc


def _date_from_avro(datum: Any, pointer: str) -> str:
    if isinstance(datum, int) and not isinstance(datum, bool):
        datum = _EPOCH_DATE + timedelta(days=datum)
    if not isinstance(datum, date) or isinstance(datum, datetime):
        raise DatumConversionError(pointer, "expected a date or days since the epoch")
    return f"{datum.year:04d}-{datum.month:02d}-{datum.day:02d}"
