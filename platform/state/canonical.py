"""RFC 8785 (JSON Canonicalization Scheme) bytes of a document, fast for the documents the hub stores.

The ``rfc8785`` package is pure Python and cost about 5% of the hub's CPU per submission (the intake hashes
every payload). For the values documents hold, the standard library's C encoder writes the same bytes once
integral floats are written as integers (RFC 8785 writes 4.0 as ``4``); everything it could write
differently goes to ``rfc8785``:

* a float outside [1e-4, 1e16) that is not integral: ECMAScript switches to exponent notation at other
  bounds and writes exponents without padding (``1e-7``, Python ``1e-07``);
* an integer (or integral float) beyond 2**53: RFC 8785 refuses it, as ``rfc8785`` does;
* a non-ASCII key: RFC 8785 sorts keys by UTF-16 code units, Python by code points (they differ above
  U+FFFF);
* a string that is not valid UTF-8 (a lone surrogate), which ``rfc8785`` refuses.

Strings are escaped alike (quotation mark, reverse solidus, ``\\b \\f \\n \\r \\t``, other control
characters as ``\\u00xx``, everything else as UTF-8). ``tests/unit/state/test_canonical.py`` compares both
on generated documents.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

_SAFE_INTEGER = 2**53
_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":")).encode


class _Slow(Exception):
    """The value needs the reference implementation."""


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 form of ``value`` as UTF-8 bytes (raises what ``rfc8785`` raises for what it refuses)."""
    try:
        return _encode(_plain(value)).encode("utf-8")
    except (_Slow, UnicodeEncodeError):
        return bytes(rfc8785.dumps(value))


def _plain(value: Any) -> Any:
    """``value`` with integral floats as integers; _Slow where the C encoder could differ."""
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return value
    if isinstance(value, dict):
        for key in value:
            if not (isinstance(key, str) and key.isascii()):
                raise _Slow
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, int):
        if -_SAFE_INTEGER <= value <= _SAFE_INTEGER:
            return value
        raise _Slow
    if isinstance(value, float):
        if value.is_integer():
            if -_SAFE_INTEGER <= value <= _SAFE_INTEGER:
                return int(value)
        elif 1e-4 <= abs(value) < 1e16:
            return value
    raise _Slow
