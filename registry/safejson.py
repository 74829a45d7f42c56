"""JSON from callers, read under limits: nesting depth (checked before parsing), size and shape, and only
values every layer can hold (issue 11, defects 2 and 4).

``json.loads`` alone turns bad input into crashes further in: over-deep nesting raises RecursionError,
integers over 4,300 digits a bare ValueError, ``NaN``/``Infinity`` become floats JSON cannot write back,
and lone surrogates (``"\\ud800"``) decode fine but fail later when the text is hashed or stored. Here
each is refused with a reason the edge maps to a 4xx.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = str.maketrans({"[": "\x02", "{": "\x02", "]": "\x00", "}": "\x00"})
_SKIPPED = frozenset({"enum", "const", "default", "examples"})  # data inside a schema, not subschemas


class JsonRefused(ValueError):
    """The text is not JSON the registry accepts; ``over_limit`` is True for size limits (vs. bad content)."""

    def __init__(self, message: str, *, over_limit: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.over_limit = over_limit


@dataclass(frozen=True, slots=True)
class JsonLimits:
    """What one document may hold: nesting depth, values in all, members of one object or array, ``$ref``s."""

    max_depth: int = 64
    max_nodes: int = 100_000
    max_members: int = 10_000
    max_refs: int | None = None  # counted for schemas only


def nesting_depth(text: str) -> int:
    """The deepest ``[``/``{`` nesting outside strings, without parsing (so without recursion)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    if not brackets:
        return 0
    steps = brackets.translate(_DEPTH_STEP).encode("latin-1")
    return max(accumulate(step - 1 for step in steps))


def _refuse_constant(name: str) -> Any:
    raise JsonRefused(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonRefused(f"the number {text[:40]} is out of range")
    return value


def _bounded_int(text: str) -> int:
    digits = len(text) - text.startswith("-")
    if digits > sys.get_int_max_str_digits():
        raise JsonRefused(f"an integer has {digits} digits; at most {sys.get_int_max_str_digits()} are accepted")
    return int(text)


def loads(data: str | bytes, limits: JsonLimits, *, what: str = "JSON") -> Any:
    """``data`` parsed, or ``JsonRefused`` naming the first problem."""
    if isinstance(data, bytes):
        try:
            data = data.decode(json.detect_encoding(data))
        except (UnicodeDecodeError, LookupError) as exc:
            raise JsonRefused(f"{what} is not valid UTF-8 text") from exc
    depth = nesting_depth(data)
    if depth > limits.max_depth:
        raise JsonRefused(f"{what} nests {depth} levels deep; the limit is {limits.max_depth}", over_limit=True)
    try:
        value = json.loads(
            data, parse_constant=_refuse_constant, parse_float=_finite_float, parse_int=_bounded_int
        )
    except JsonRefused:
        raise
    except json.JSONDecodeError as exc:
        raise JsonRefused(f"{what} is not valid JSON: {exc}") from exc
    except (ValueError, RecursionError) as exc:  # defensive: any other decoder refusal is still bad input
        raise JsonRefused(f"{what} is not valid JSON: {type(exc).__name__}") from exc
    _Census(limits, what).visit(value)
    return value


class _Census:
    """One pass over a parsed document: text every layer can hold, and the size limits."""

    def __init__(self, limits: JsonLimits, what: str) -> None:
        self.limits = limits
        self.what = what
        self.nodes = 0
        self.refs = 0

    def visit(self, value: Any, data: bool = False) -> None:
        self.nodes += 1
        if self.nodes > self.limits.max_nodes:
            raise JsonRefused(f"{self.what} holds more than {self.limits.max_nodes} values", over_limit=True)
        if isinstance(value, str):
            _check_text(value, self.what)
        elif isinstance(value, Mapping):
            self._members(len(value))
            for key, member in value.items():
                _check_text(key, self.what)
                if key == "$ref" and not data:
                    self._ref()
                self.visit(member, data or key in _SKIPPED)
        elif isinstance(value, list):
            self._members(len(value))
            for member in value:
                self.visit(member, data)

    def _members(self, count: int) -> None:
        if count > self.limits.max_members:
            raise JsonRefused(
                f"{self.what} has an object or array of {count} members; the limit is {self.limits.max_members}",
                over_limit=True,
            )

    def _ref(self) -> None:
        self.refs += 1
        if self.limits.max_refs is not None and self.refs > self.limits.max_refs:
            raise JsonRefused(f"{self.what} holds more than {self.limits.max_refs} $ref", over_limit=True)


def _check_text(value: str, what: str) -> None:
    """No lone surrogates: they cannot be encoded, hashed or stored. (NUL and other control characters are
    fine inside JSON strings: the normalised text escapes them; subjects are checked on their own.)"""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise JsonRefused(f"{what} holds a lone surrogate (an unpaired \\ud800-\\udfff escape)") from None
