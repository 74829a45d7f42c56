"""What one AMQP message may carry, checked before it is sent (issue 11 follow-up).

A content header frame larger than the connection's ``frame_max`` makes RabbitMQ close the whole connection
(501 FRAME_ERROR); a ``CC``/``BCC`` header that is not an array, or an expiration over 2^32-1 ms, closes the
channel (406). Every other publisher and consumer on it pays, and a republish strikes again, so such a
message fails at once with a permanent error and is never sent. ``header_frame_size`` follows the encoding
pika uses (RabbitMQ's field table types) without importing it, so the in-memory broker refuses exactly what
RabbitMQ would; a unit test holds the two against each other.
"""

from __future__ import annotations

import calendar
import decimal
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from singlewindow.platform.errors import InvalidInput, PayloadTooLarge, Problem
from singlewindow.platform.transport.base import OutgoingMessage

FRAME_MAX = 131_072
"""RabbitMQ's default ``frame_max``: the largest frame, header and frame-end octet included."""
MAX_MESSAGE_SIZE = 134_217_728
"""RabbitMQ's default ``max_message_size`` (body bytes); a larger body closes the channel (406)."""
MAX_EXPIRATION_MS = 0xFFFF_FFFF
ROUTING_HEADERS = ("CC", "BCC")

_FRAME_OVERHEAD = 8  # type (1), channel (2), size (4) and the frame-end octet
_HEADER_FIXED = 14  # class id (2), weight (2), body size (8), property flags (2)
_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)
# Bounds, not ranges: ``x in range(...)`` is O(1) only for exact ints, and pika decodes 64-bit header values
# as ``pika.compat.long`` (an int subclass), for which it walks the range (2**63 steps: a hung consumer).


def _within(value: int, bounds: tuple[int, int]) -> bool:
    return bounds[0] <= value <= bounds[1]


def check_message(message: OutgoingMessage, *, frame_max: int, header_frame: int) -> None:
    """Refuse what the broker can never take; ``header_frame`` is the encoded content header frame's size."""
    if header_frame > frame_max:
        raise PayloadTooLarge(
            f"message {message.message_id!r}: its properties and headers take {header_frame} bytes, "
            f"over the connection's frame_max of {frame_max}",
            [Problem("/headers", "maxBytes", f"properties and headers must fit in {frame_max} bytes")],
        )
    if message.expiration_ms is not None and message.expiration_ms > MAX_EXPIRATION_MS:
        raise InvalidInput(
            f"message {message.message_id!r}: expiration {message.expiration_ms} ms is over {MAX_EXPIRATION_MS}",
            [Problem("/expiration", "maximum", f"at most {MAX_EXPIRATION_MS} ms")],
        )
    for name in ROUTING_HEADERS:
        if name in message.headers and not isinstance(message.headers[name], list):
            raise InvalidInput(
                f"message {message.message_id!r}: header {name} must be an array (the broker routes by it)",
                [Problem(f"/headers/{name}", "type", "an array of strings")],
            )


def header_frame_size(message: OutgoingMessage) -> int:
    """The bytes of ``message``'s content header frame; ``InvalidInput`` when it cannot be encoded at all."""
    size = _FRAME_OVERHEAD + _HEADER_FIXED
    for name in ("content_type", "correlation_id", "message_id", "type", "user_id"):
        value = getattr(message, name)
        if value is not None:
            size += _short_string(value, f"/{name}")
    if message.expiration_ms is not None:
        size += _short_string(str(message.expiration_ms), "/expiration")
    if message.headers:
        size += _table(message.headers, "/headers")
    size += 1  # delivery mode
    if message.timestamp is not None:
        _seconds(int(message.timestamp.timestamp()), "/timestamp")
        size += 8
    return size


def _short_string(value: Any, path: str) -> int:
    encoded = _utf8(value, path)
    if len(encoded) > 255:
        raise InvalidInput(
            f"{path} is {len(encoded)} bytes; AMQP short strings carry at most 255",
            [Problem(path, "maxLength", "at most 255 bytes")],
        )
    return 1 + len(encoded)


def _table(table: Mapping[Any, Any], path: str) -> int:
    size = 4
    for key, value in table.items():
        where = f"{path}/{key}"
        size += _short_string(key, where) + _value(value, where)
    return size


def _value(value: Any, path: str) -> int:
    if isinstance(value, str | bytes):
        return 5 + len(_utf8(value, path))
    if isinstance(value, bool):
        return 2
    if isinstance(value, int):
        if _within(value, _INT32):
            return 5
        if _within(value, _INT64):
            return 9
        raise _unencodable(path, "an integer outside 64 bits")
    if isinstance(value, decimal.Decimal):
        return _decimal(value, path)
    if isinstance(value, datetime):
        _seconds(calendar.timegm(value.utctimetuple()), path)
        return 9
    if isinstance(value, dict):
        return 1 + _table(value, path)
    if isinstance(value, list):
        return 5 + sum(_value(item, f"{path}/{n}") for n, item in enumerate(value))
    if value is None:
        return 1
    raise _unencodable(path, f"a {type(value).__name__}")


def _decimal(value: decimal.Decimal, path: str) -> int:
    """AMQP decimals are a scale octet and a 32-bit integer."""
    if not value.is_finite():
        raise _unencodable(path, "a decimal that is not finite")
    value = value.normalize()
    exponent = int(value.as_tuple().exponent)
    scale = max(0, -exponent)
    if scale > 255 or not _within(int(value.scaleb(scale)), _INT32):
        raise _unencodable(path, "a decimal beyond 32 bits and 255 places")
    return 6


def _seconds(value: int, path: str) -> None:
    """AMQP timestamps are unsigned 64-bit seconds since 1970."""
    if not 0 <= value < 2**64:
        raise _unencodable(path, "a time before 1970")


def _utf8(value: Any, path: str) -> bytes:
    if isinstance(value, bytes):
        return value
    if not isinstance(value, str):
        raise _unencodable(path, f"a {type(value).__name__} where a string belongs")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _unencodable(path, "a string that is not valid UTF-8") from exc


def _unencodable(path: str, what: str) -> InvalidInput:
    return InvalidInput(f"{path}: {what} cannot be carried by AMQP", [Problem(path, "type", what)])
