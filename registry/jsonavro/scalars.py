"""The scalar rows of the mapping table: strings (plain, decimal, timestamp, date), integers and enums."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from singlewindow.registry.jsonavro.errors import SchemaMappingError
from singlewindow.registry.jsonavro.patterns import DATE_PATTERN, TIMESTAMP_PATTERN, decimal_pattern_digits

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
AVRO_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def pointer_to(parent: str, *tokens: str) -> str:
    """``parent`` extended by RFC 6901-escaped tokens."""
    return parent + "".join("/" + token.replace("~", "~0").replace("/", "~1") for token in tokens)


def string_type(node: Mapping[str, Any], pointer: str) -> Any:
    """A string: decimal, timestamp, date or plain string, by its x-decimal, format and pattern."""
    if "x-decimal" in node:
        return _decimal(node, pointer)
    fmt = node.get("format")
    if fmt == "date-time":
        if node.get("pattern") != TIMESTAMP_PATTERN:
            raise SchemaMappingError(
                pointer_to(pointer, "pattern"),
                f"a date-time must be UTC with milliseconds: pattern {TIMESTAMP_PATTERN!r}",
            )
        return {"type": "long", "logicalType": "timestamp-millis"}
    if fmt == "date":
        if node.get("pattern") != DATE_PATTERN:
            raise SchemaMappingError(pointer_to(pointer, "pattern"), f"a date needs pattern {DATE_PATTERN!r}")
        return {"type": "int", "logicalType": "date"}
    return "string"


def _decimal(node: Mapping[str, Any], pointer: str) -> dict[str, Any]:
    spec = node["x-decimal"]
    where = pointer_to(pointer, "x-decimal")
    if not isinstance(spec, Mapping) or set(spec) != {"precision", "scale"}:
        raise SchemaMappingError(where, "x-decimal must be {'precision': P, 'scale': S}")
    precision, scale = spec["precision"], spec["scale"]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (precision, scale)):
        raise SchemaMappingError(where, "precision and scale must be integers")
    if not 1 <= scale < precision:
        raise SchemaMappingError(where, "x-decimal needs 1 <= scale < precision")
    if "format" in node:
        raise SchemaMappingError(pointer_to(pointer, "format"), "a decimal string takes no format")
    digits = decimal_pattern_digits(node.get("pattern"))
    if digits is None or digits[1] != scale or digits[0] > precision - scale:
        raise SchemaMappingError(
            pointer_to(pointer, "pattern"),
            f"a decimal needs pattern '^-?[0-9]{{1,{precision - scale}}}\\.[0-9]{{{scale}}}$' "
            "(at most precision-scale integer digits, exactly scale fraction digits)",
        )
    return {"type": "bytes", "logicalType": "decimal", "precision": precision, "scale": scale}


def integer_type(node: Mapping[str, Any]) -> str:
    """int when both bounds fit 32 bits, long otherwise (the mapping table's rule)."""
    low, high = node.get("minimum"), node.get("maximum")
    if low is None and node.get("exclusiveMinimum") is not None:
        low = node["exclusiveMinimum"] + 1
    if high is None and node.get("exclusiveMaximum") is not None:
        high = node["exclusiveMaximum"] - 1
    if low is not None and high is not None and low >= INT_MIN and high <= INT_MAX:
        return "int"
    return "long"


def enum_type(node: Mapping[str, Any], pointer: str, name: str) -> dict[str, Any]:
    """A closed set of strings: an Avro enum whose symbols must be valid Avro names."""
    symbols = node["enum"]
    where = pointer_to(pointer, "enum")
    if not isinstance(symbols, list) or not symbols:
        raise SchemaMappingError(where, "enum must be a non-empty list")
    for index, symbol in enumerate(symbols):
        if not isinstance(symbol, str) or not AVRO_NAME.match(symbol):
            raise SchemaMappingError(
                pointer_to(where, str(index)), f"enum value {symbol!r} is not a valid Avro symbol (UPPER_SNAKE)"
            )
    if len(set(symbols)) != len(symbols):
        raise SchemaMappingError(where, "enum values must be unique")
    enum: dict[str, Any] = {"type": "enum", "name": name}
    if isinstance(node.get("description"), str):
        enum["doc"] = node["description"]
    enum["symbols"] = list(symbols)
    return enum
