"""The hub's input rules, decided once for every edge (HTTP, gRPC, intake, permits): which characters text
may hold, how deep and how large JSON may be, and how numbers in URLs and tokens are read.

Why one place: a value the rules miss reaches PostgreSQL (which refuses NUL), the UTF-8 encoder (which
refuses lone surrogates), ``int()`` (which refuses 4,300+ digits and accepts "²" via ``isdigit``) or the Avro
encoder (which refuses int64 overflow) deep inside a call, and surfaces as a 500 for some other caller.
The rules are written down in docs/specs-conventions.md ("Text and numbers").
"""

from __future__ import annotations

import json
import math
import re
from array import array
from collections.abc import Mapping, Sequence
from itertools import accumulate
from typing import Any, NoReturn
from urllib.parse import unquote_to_bytes

from pydantic import Field

from singlewindow.platform.errors import InvalidInput, Problem

MAX_DEPTH = 64  # nesting levels of objects and arrays; the deepest document spec uses fewer than 10
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
INT32_MAX = 2**31 - 1
MAX_PROBLEMS = 20  # enough to fix a document in one round, not a second attack surface

# Refused anywhere in a string or a key: C0 controls except TAB, LF, CR; DEL and the C1 controls (invisible,
# usually mis-decoded CP1252, and not XML 1.0 "Char"s the agencies' systems exchange); lone surrogates
# (not Unicode scalar values, so not encodable as UTF-8); noncharacters (U+FDD0..U+FDEF, U+xxFFFE/U+xxFFFF).
_NONCHARACTERS = "".join(chr(plane * 0x10000 + 0xFFFE) + chr(plane * 0x10000 + 0xFFFF) for plane in range(17))
_FORBIDDEN = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef{_NONCHARACTERS}]")
_ASCII_DIGITS = re.compile(r"[0-9]+")


def forbidden_character(text: str) -> str | None:
    """``U+XXXX`` of the first character the text rule refuses, or None when ``text`` is fine."""
    found = _FORBIDDEN.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def _text_problem(text: str, path: str) -> Problem | None:
    bad = forbidden_character(text)
    if bad is None:
        return None
    return Problem(path, "invalid-character", f"{bad} is not allowed in text (see the text rule in the API docs)")


def check_text(value: str | None, path: str) -> str | None:
    """``value`` unchanged if it keeps the text rule; InvalidInput pointing at ``path`` otherwise."""
    if value is not None:
        problem = _text_problem(value, path)
        if problem is not None:
            raise InvalidInput(f"{path} holds a character the hub refuses", [problem])
    return value


def pointer(path: str, key: str | int) -> str:
    """RFC 6901 (``~`` and ``/`` escaped); a refused character in a key shows as U+FFFD, so a problem's
    pointer never carries what the rule refuses back to the caller (or into an encoder that fails on it)."""
    return f"{path}/{_FORBIDDEN.sub(chr(0xFFFD), str(key)).replace('~', '~0').replace('/', '~1')}"


class _Refused:
    """A JSON number the parser would not turn into a Python value; the walk reports it with its pointer."""

    __slots__ = ("code", "message")

    def __init__(self, code: str, message: str) -> None:
        self.code, self.message = code, message


def _parse_int(text: str) -> int | _Refused:
    if len(text.lstrip("-")) > 19:  # before int(): 4,300+ digits raise, and nothing valid is this long
        return _Refused("range", f"an integer between {INT64_MIN} and {INT64_MAX}")
    return int(text)


def _parse_float(text: str) -> float | _Refused:
    value = float(text)
    return value if math.isfinite(value) else _Refused("range", "a finite number")


def _parse_constant(text: str) -> _Refused:
    return _Refused("number", f"{text} is not a JSON number")


# -- The screen: most JSON is clean, and walking it value by value in Python costs ten times parsing it. These
# bytes operations (C speed) answer "the walk would find nothing" or "not sure"; only the first skips the walk, so
# the walk alone still decides every Problem. Each test is a superset of what the rule refuses.
_SAFE_ASCII = bytes([0x09, 0x0A, 0x0D, *range(0x20, 0x7F)])
# What is left of UTF-8 (surrogates as "surrogatepass" writes them) once the safe ASCII bytes are deleted holds a
# refused character iff it holds another ASCII byte (C0, DEL) or one of: C1 (C2 80..9F); a surrogate (ED A0..BF);
# U+FDD0..FDEF (EF B7 90..AF); U+FFFE/FFFF (EF BF BE/BF); U+nFFFE/nFFFF (F0..F4 8F|9F|AF|BF BF BE/BF). Every
# branch starts with a literal byte, so the regex engine skips straight to the lead bytes that may start one.
_REFUSED_UTF8 = re.compile(
    rb"\xc2[\x80-\x9f]|\xed[\xa0-\xbf]|\xef\xb7[\x90-\xaf]|\xef\xbf[\xbe\xbf]|"
    + b"|".join(re.escape(bytes([lead])) + rb"[\x8f\x9f\xaf\xbf]\xbf[\xbe\xbf]" for lead in range(0xF0, 0xF5))
)
_NON_ASCII = bytes(range(0x80, 0x100))
_CANNOT_START_REFUSED = bytes(b for b in _NON_ASCII if b not in b"\xc2\xed\xef\xf0\xf1\xf2\xf3\xf4")
# JSON escapes that decode to a refused character: \b, \f, \u0000..001F, \u007F..009F, surrogates (a pair can
# also make U+nFFFE), \uFDD0..FDEF, \uFFFE, \uFFFF. An escaped backslash before a "u" matches too: not sure.
_REFUSED_ESCAPE = re.compile(rb"\\[bf]|\\u(?:00[0189]|007[fF]|[dD][89a-fA-F]|[fF][dD][dDeE]|[fF]{3}[eEfF])")
_NOT_STRUCTURE = bytes(b for b in range(0x100) if b not in b'"[]{}')
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # read as signed bytes: +1, -1
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_INT64_DIGITS = b"0" * 19  # an integer written with fewer digits is within int64


def _nesting_at_most(text: bytes, limit: int) -> bool:
    """Whether the JSON ``text`` nests at most ``limit`` arrays and objects; exact for valid JSON only."""
    if text.count(b"[") + text.count(b"{") <= limit:
        return True
    # Escaped backslashes out, then escaped quotes: the quotes left delimit strings, whose brackets are text.
    quoted = text.replace(b"\\\\", b"").replace(b'\\"', b"").translate(_STEPS, _NOT_STRUCTURE)
    steps = b"".join(quoted.split(b'"')[::2])  # +1 for each opening bracket, -1 for each closing one
    if b"\x01" * (limit + 1) in steps:  # the usual shape of a hostile depth, found without a loop
        return False
    return max(accumulate(array("b", steps)), default=0) <= limit


def _clean_text(text: bytes) -> bool:
    """No refused character in the JSON ``text``, written as it is or as an escape."""
    rest = text.translate(None, _SAFE_ASCII)  # C0 controls, DEL and the bytes of non-ASCII characters
    if rest.translate(None, _NON_ASCII):  # a C0 control or DEL
        return False
    if rest.translate(None, _CANNOT_START_REFUSED) and _REFUSED_UTF8.search(rest):
        return False
    return _REFUSED_ESCAPE.search(text) is None


class _NotSure(Exception):
    """A number the fast parse leaves to the walk (out of range, not finite, or not a JSON number)."""


def _sure_int(text: str) -> int:
    if len(text) <= 20 and INT64_MIN <= (value := int(text)) <= INT64_MAX:
        return value
    raise _NotSure


def _sure_float(text: str) -> float:
    if math.isfinite(value := float(text)):
        return value
    raise _NotSure


def _not_sure(text: str) -> NoReturn:
    raise _NotSure


def _parse_clean(data: str | bytes) -> tuple[bool, Any]:
    """``(True, value)`` when ``data`` is JSON in which the walk would find nothing; ``(False, None)`` when not
    sure, including every error (the slow path then raises it as it always has)."""
    try:
        if isinstance(data, str):
            text, raw = data, data.encode("utf-8", "surrogatepass")
        elif json.detect_encoding(data) == "utf-8":  # what json.loads would decode it as, strictly here
            text, raw = data.decode("utf-8"), data
        else:
            return False, None
        if _clean_text(raw):  # then parsed (a hostile depth stops json.loads at once), then the depth checked
            value = json.loads(text, parse_int=_sure_int, parse_float=_sure_float, parse_constant=_not_sure)
            if _nesting_at_most(raw, MAX_DEPTH):
                return True, value
    except Exception:  # any failure is "not sure": the slow path reports it exactly as it always has
        pass
    return False, None


def _written_clean(value: Any) -> bool:
    """Whether the walk would find nothing in ``value``, judged from its JSON text; False when not sure (a value
    JSON cannot write: bytes, a cycle, NaN, 4,300+ digits, too deep; or an integer of 19 or more digits)."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        raw = text.encode("utf-8", "surrogatepass")
    except Exception:  # whatever stops the encoder, the walk decides
        return False
    digits = raw.translate(_DIGITS_AS_ZERO)
    return _INT64_DIGITS not in digits and _clean_text(raw) and _nesting_at_most(raw, MAX_DEPTH)


def json_problems(value: Any, path: str = "") -> list[Problem]:
    """Every place in ``value`` that breaks a rule: text, nesting depth, integer range, finite numbers.

    A value whose JSON text the screen passes has none (the common case, at C speed); any other is walked.
    """
    return [] if _written_clean(value) else _walk(value, path)


def _walk(value: Any, path: str) -> list[Problem]:
    """The rules themselves, value by value: iterative and depth-capped, so a hostile value cannot exhaust the
    stack; stops at MAX_PROBLEMS. Every Problem the hub reports comes from here."""
    problems: list[Problem] = []
    stack: list[tuple[Any, str, int]] = [(value, path, 0)]
    while stack and len(problems) < MAX_PROBLEMS:
        item, where, depth = stack.pop()
        if isinstance(item, str):
            problem = _text_problem(item, where)
        elif isinstance(item, bool | bytes | bytearray) or item is None:
            problem = None
        elif isinstance(item, int):
            problem = None if INT64_MIN <= item <= INT64_MAX else Problem(where, "range", "an int64 integer")
        elif isinstance(item, float):
            problem = None if math.isfinite(item) else Problem(where, "range", "a finite number")
        elif isinstance(item, _Refused):
            problem = Problem(where, item.code, item.message)
        elif isinstance(item, Mapping | Sequence):
            if depth >= MAX_DEPTH:
                problem = Problem(where, "maxDepth", f"at most {MAX_DEPTH} levels of nesting")
            else:
                problem = None
                pairs = item.items() if isinstance(item, Mapping) else enumerate(item)
                for key, child in reversed(list(pairs)):
                    here = pointer(where, key)
                    if isinstance(key, str) and (bad := _text_problem(key, here)) is not None:
                        problems.append(bad)
                    stack.append((child, here, depth + 1))
        else:
            problem = None  # other Python values come from code, not from a caller
        if problem is not None:
            problems.append(problem)
    return problems[:MAX_PROBLEMS]


def require_clean(value: Any, path: str = "", what: str = "the request") -> None:
    problems = json_problems(value, path)
    if problems:
        raise InvalidInput(f"{what} holds values the hub refuses ({len(problems)} problems)", problems)


def parse_json(data: str | bytes, path: str = "", *, inner: str | None = None, syntax_path: str | None = None) -> Any:
    """JSON from a caller under the hub's rules; InvalidInput (never a 500) for anything else.

    Problems point into the value from ``path``; ``syntax_path`` (default ``path``) is where JSON that does
    not parse is reported (the field that carried it). ``inner``: a member of the top-level object (the
    document) whose problems point into it, as the document validator's do, not into the request around it.
    """
    syntax_path = path if syntax_path is None else syntax_path
    clean, value = _parse_clean(data)
    if clean:
        return value
    try:
        value = json.loads(data, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant)
    except RecursionError:
        problem = Problem(syntax_path, "maxDepth", f"at most {MAX_DEPTH} levels")
        raise InvalidInput("JSON nested too deep", [problem]) from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise InvalidInput("not JSON", [Problem(syntax_path, "json", str(exc))]) from exc
    if inner is not None and isinstance(value, dict) and isinstance(value.get(inner), Mapping | Sequence):
        outer = {key: item for key, item in value.items() if key != inner}
        problems = _walk(outer, path) + _walk(value[inner], "")
    else:
        problems = _walk(value, path)
    if problems:
        raise InvalidInput(
            f"the request holds values the hub refuses ({len(problems)} problems)", problems[:MAX_PROBLEMS]
        )
    return value


def parse_count(raw: str | None, path: str, *, minimum: int = 0, maximum: int = INT64_MAX) -> int | None:
    """An integer from a URL or a token: ASCII digits only (``str.isdigit`` accepts "²", which ``int``
    refuses), within bounds; None when absent or empty."""
    if raw is None or raw == "":
        return None
    if not _ASCII_DIGITS.fullmatch(raw) or len(raw) > 19 or not minimum <= int(raw) <= maximum:
        raise InvalidInput(
            f"{path} must be an integer from {minimum} to {maximum}",
            [Problem(path, "type", f"an integer from {minimum} to {maximum}, in ASCII digits")],
        )
    return int(raw)


def int_field(minimum: int = INT64_MIN, maximum: int = INT64_MAX, **options: Any) -> Any:
    """The pydantic ``Field`` of every integer in a request model (``ticket: int = int_field(1)``).

    Strict, because pydantic's lax mode turns ``"9223372036854775808"`` (and ``true``, ``1.0``) into an int
    that passes a lone ``ge`` and overflows the database driver as a 500; bounded on both sides within int64
    (BIGINT, Avro long), so the OpenAPI document generated from the model states the range too.
    """
    if not INT64_MIN <= minimum <= maximum <= INT64_MAX:
        raise ValueError(f"bounds {minimum}..{maximum} are not within int64")
    return Field(strict=True, ge=minimum, le=maximum, **options)


def _utf8(raw: bytes) -> bool:
    try:
        unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def url_problems(raw_path: bytes, query_string: bytes) -> list[Problem]:
    """The parts of a URL that are not UTF-8 once percent-decoded (``%ED%A0%80``: a lone surrogate).

    Read from the raw bytes because uvicorn and Starlette decode the path and query with errors="replace": the
    route would see three U+FFFD, which keep the text rule, and store them as if the caller had sent them.
    """
    problems: list[Problem] = []
    if not _utf8(raw_path.split(b"?", 1)[0]):  # some servers (httpx's ASGI transport) keep the query here
        problems.append(Problem("", "invalid-utf8", "the URL path must be UTF-8 once percent-decoded"))
    for part in query_string.split(b"&"):
        name, _, value = part.replace(b"+", b" ").partition(b"=")
        if not (_utf8(name) and _utf8(value)):
            where = pointer("", unquote_to_bytes(name).decode("utf-8", "replace"))
            problems.append(Problem(where, "invalid-utf8", "query parameters must be UTF-8 once percent-decoded"))
    return problems[:MAX_PROBLEMS]
