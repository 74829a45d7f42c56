"""The hostile corpus: values and raw bodies from issue 11's defects, each with a name the tables print.

Text values go into string fields, query parameters and path segments; raw bodies replace a whole JSON body.
Every one must be answered with a 4xx (or accepted harmlessly), never a 5xx, a crash or a partial write.
"""

from __future__ import annotations

import json
from typing import Any

DEPTH = 1_500  # "JSON nested 1,000+ levels"

TEXT: dict[str, Any] = {
    "nul": "AB\u0000CD",
    "lone-surrogate": "\ud800",
    "superscript-two": "\u00b2",
    "arabic-indic-digit": "\u0663",
    "digits-4301": "9" * 4_301,
    "int64-overflow": str(2**63),
    "negative": "-1",
    "zero": "0",
    "empty": "",
    "blank": "   ",
    "long-100k": "x" * 100_000,
    "crlf": "a\r\nX-Injected: 1",
    "rtl-override": "\u202egnp.exe",
    "path-traversal": "../../etc/passwd",
    "sql": "' OR 1=1 --",
    "percent": "%00%2F%ZZ",
    "emoji": "\U0001f4a9",
    "nan": "NaN",
    "exponent": "1e28",
}

NUMBERS: dict[str, Any] = {
    "nan": float("nan"),
    "infinity": float("inf"),
    "minus-infinity": float("-inf"),
    "int64-overflow": 2**63,
    "int64-underflow": -(2**63) - 1,
    "digits-4301": 10**4_301 - 1,
    "1e28": 1e28,
    "negative": -1,
    "zero": 0,
    "true": True,
    "string": "12",
    "null": None,
    "list": [1],
}


def dumps(value: Any) -> bytes:
    """JSON as Python writes it: NaN/Infinity literals and lone surrogates escaped (what a hostile client
    can send); integers past the 4,300-digit limit written by hand."""
    try:
        return json.dumps(value, allow_nan=True).encode()
    except ValueError:  # an int over sys.get_int_max_str_digits()
        return _dumps_big(value).encode()


def _dumps_big(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return _digits(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{_dumps_big(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dumps_big(v) for v in value) + "]"
    return json.dumps(value, allow_nan=True)


def _digits(number: int) -> str:
    sign, number = ("-", -number) if number < 0 else ("", number)
    chunks = []
    while number:
        number, low = divmod(number, 10**1000)
        chunks.append(str(low).zfill(1000) if number else str(low))
    return sign + "".join(reversed(chunks or ["0"]))


RAW_BODIES: dict[str, bytes] = {
    "empty": b"",
    "not-json": b"not json at all",
    "truncated": b'{"documentType": "consignment", "document": {',
    "array": b"[]",
    "string": b'"x"',
    "null": b"null",
    "deep-array": b"[" * DEPTH + b"]" * DEPTH,
    "deep-object": b'{"a":' * DEPTH + b"{}" + b"}" * DEPTH,
    "nan-literal": b'{"documentType": NaN, "document": {"x": NaN}}',
    "infinity-literal": b'{"limit": Infinity, "document": {"quantity": -Infinity}}',
    "digits-4301": b'{"documentType": "consignment", "document": {"n": ' + b"9" * 4_301 + b"}}",
    "lone-surrogate-escape": b'{"documentType": "\\ud800", "traderReference": "\\udfff", "document": {}}',
    "nul-escape": b'{"documentType": "consignment\\u0000", "document": {"ucr": "\\u0000"}}',
    "invalid-utf8": b'{"documentType": "\xff\xfe"}',
    "utf16-bom": '{"documentType": "consignment"}'.encode("utf-16"),
    "duplicate-keys": b'{"documentType": "a", "documentType": "b", "document": {}}',
    "trailing-garbage": b'{"document": {}} trailing',
    "huge-key": b'{"' + b"k" * 50_000 + b'": 1}',
}
