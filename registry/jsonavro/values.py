"""The scalar conversions of the JSON <-> Avro value mapping, shared by the walker and the compiled converters.

The JSON side carries decimals as strings with a fixed scale, timestamps as RFC 3339 UTC strings with
milliseconds and dates as ISO strings; the Avro side carries ``Decimal``, aware ``datetime`` and ``date``,
which fastavro encodes as the logical types. ``pointer`` only words the error.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from singlewindow.registry.jsonavro.errors import DatumConversionError

_TIMESTAMP = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})\.([0-9]{3})Z$")
_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_DECIMAL = re.compile(r"^-?[0-9]+(?:\.([0-9]+))?$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DATE = date(1970, 1, 1)

INTEGER_BITS = {"int": 32, "long": 64}
PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "int": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
}


def primitive_to_avro(kind: str, value: Any, pointer: str = "") -> Any:
    accepted = PYTHON_TYPES.get(kind)
    if accepted is None:
        raise DatumConversionError(pointer, f"Avro type {kind!r} has no JSON twin")
    if not isinstance(value, accepted) or (kind != "boolean" and isinstance(value, bool)):
        raise DatumConversionError(pointer, f"expected a JSON value for Avro {kind}, got {type(value).__name__}")
    bits = INTEGER_BITS.get(kind)
    if bits is not None and not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
        raise DatumConversionError(pointer, f"{value} is out of range for Avro {kind}")
    if kind in {"float", "double"} and isinstance(value, int | float):
        return float(value)
    return value


def primitive_from_avro(kind: str, datum: Any, pointer: str = "") -> Any:
    if kind == "null":
        if datum is not None:
            raise DatumConversionError(pointer, "expected null")
        return None
    return primitive_to_avro(kind, datum, pointer)


def decimal_to_avro(value: Any, scale: int, precision: int, pointer: str = "") -> Decimal:
    match = _DECIMAL.match(value) if isinstance(value, str) else None
    if match is None:
        raise DatumConversionError(pointer, "expected a decimal string such as '12.50'")
    if len(match[1] or "") != scale:
        raise DatumConversionError(pointer, f"expected exactly {scale} digits after the decimal point")
    number = Decimal(value)
    if len(number.as_tuple().digits) > precision:
        raise DatumConversionError(pointer, f"more than {precision} significant digits")
    return number


def decimal_from_avro(datum: Any, scale: int, pointer: str = "") -> str:
    if not isinstance(datum, Decimal):
        raise DatumConversionError(pointer, "expected a Decimal (read with logical types)")
    return f"{datum.quantize(Decimal(1).scaleb(-scale)):f}" if scale else f"{datum:f}"


def timestamp_to_avro(value: Any, pointer: str = "") -> datetime:
    match = _TIMESTAMP.match(value) if isinstance(value, str) else None
    if match is None:
        raise DatumConversionError(pointer, "expected a UTC timestamp such as 2026-03-01T10:00:00.123Z")
    year, month, day, hour, minute, second, millis = (int(part) for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, millis * 1000, tzinfo=UTC)
    except ValueError as exc:
        raise DatumConversionError(pointer, f"not a real instant: {exc}") from exc


def timestamp_from_avro(datum: Any, pointer: str = "") -> str:
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


def date_to_avro(value: Any, pointer: str = "") -> date:
    match = _DATE.match(value) if isinstance(value, str) else None
    if match is None:
        raise DatumConversionError(pointer, "expected a date such as 2026-03-01")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise DatumConversionError(pointer, f"not a real date: {exc}") from exc


def date_from_avro(datum: Any, pointer: str = "") -> str:
    if isinstance(datum, int) and not isinstance(datum, bool):
        datum = _EPOCH_DATE + timedelta(days=datum)
    if not isinstance(datum, date) or isinstance(datum, datetime):
        raise DatumConversionError(pointer, "expected a date or days since the epoch")
    return f"{datum.year:04d}-{datum.month:02d}-{datum.day:02d}"
