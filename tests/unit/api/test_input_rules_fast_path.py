"""The input rules' fast path (issue 14) decides exactly as the rules did before it: the same value, or the same
exception with the same message, Problems (path, code, message) and cause, for every input.

The reference is a frozen copy of ``parse_json``, ``json_problems`` and ``require_clean`` as they were before the
fast path (commit cdc3639). The inputs: the hostile corpus (tests/hostile/nswhostile/values.py, the cases of
test_hostile_inputs.py and test_input_rules.py), edge cases of each screen, the shipped consignment examples and
hypothesis-generated JSON text and values (control characters, escaped and raw surrogates, noncharacters, huge
and boundary integers, non-finite and overflowing floats, deep nesting).
"""

from __future__ import annotations

import importlib.util
import json
import math
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import suppress
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from singlewindow.platform import inputs
from singlewindow.platform.errors import InvalidInput, Problem
from singlewindow.platform.specs import Catalog

# -- the rules as they were (platform/inputs.py at cdc3639), kept verbatim as the reference ---------------------
MAX_DEPTH = 64
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_PROBLEMS = 20
_NONCHARACTERS = "".join(chr(plane * 0x10000 + 0xFFFE) + chr(plane * 0x10000 + 0xFFFF) for plane in range(17))
_FORBIDDEN = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef{_NONCHARACTERS}]")


def forbidden_character(text: str) -> str | None:
    found = _FORBIDDEN.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def _text_problem(text: str, path: str) -> Problem | None:
    bad = forbidden_character(text)
    if bad is None:
        return None
    return Problem(path, "invalid-character", f"{bad} is not allowed in text (see the text rule in the API docs)")


def pointer(path: str, key: str | int) -> str:
    return f"{path}/{_FORBIDDEN.sub(chr(0xFFFD), str(key)).replace('~', '~0').replace('/', '~1')}"


class _Refused:
    __slots__ = ("code", "message")

    def __init__(self, code: str, message: str) -> None:
        self.code, self.message = code, message


def _parse_int(text: str) -> int | _Refused:
    if len(text.lstrip("-")) > 19:
        return _Refused("range", f"an integer between {INT64_MIN} and {INT64_MAX}")
    return int(text)


def _parse_float(text: str) -> float | _Refused:
    value = float(text)
    return value if math.isfinite(value) else _Refused("range", "a finite number")


def _parse_constant(text: str) -> _Refused:
    return _Refused("number", f"{text} is not a JSON number")


def json_problems(value: Any, path: str = "") -> list[Problem]:
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
            problem = None
        if problem is not None:
            problems.append(problem)
    return problems[:MAX_PROBLEMS]


def require_clean(value: Any, path: str = "", what: str = "the request") -> None:
    problems = json_problems(value, path)
    if problems:
        raise InvalidInput(f"{what} holds values the hub refuses ({len(problems)} problems)", problems)


def parse_json(data: str | bytes, path: str = "", *, inner: str | None = None, syntax_path: str | None = None) -> Any:
    syntax_path = path if syntax_path is None else syntax_path
    try:
        value = json.loads(data, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant)
    except RecursionError:
        problem = Problem(syntax_path, "maxDepth", f"at most {MAX_DEPTH} levels")
        raise InvalidInput("JSON nested too deep", [problem]) from None
    except ValueError as exc:
        raise InvalidInput("not JSON", [Problem(syntax_path, "json", str(exc))]) from exc
    if inner is not None and isinstance(value, dict) and isinstance(value.get(inner), Mapping | Sequence):
        outer = {key: item for key, item in value.items() if key != inner}
        problems = json_problems(outer, path) + json_problems(value[inner], "")
        if problems:
            raise InvalidInput(
                f"the request holds values the hub refuses ({len(problems)} problems)", problems[:MAX_PROBLEMS]
            )
    else:
        require_clean(value, path)
    return value


# -- comparing outcomes -----------------------------------------------------------------------------------------
def outcome(call: Callable[[], Any]) -> tuple[Any, ...]:
    """What a caller can observe: the value (repr tells 1 from 1.0 and True, and keeps key order), or the exception
    with its message, Problems and cause."""
    try:
        value = call()
    except Exception as exc:
        problems = [(p.path, p.code, p.message, p.severity) for p in getattr(exc, "problems", ())]
        cause = exc.__cause__
        return "raised", type(exc), str(exc), problems, type(cause), str(cause), exc.__suppress_context__
    return "returned", repr(value)


def assert_parse_same(data: str | bytes) -> None:
    for path, inner, syntax_path in (("", None, None), ("", "document", None), ("/info", "document", "/documentJson")):
        new = outcome(partial(inputs.parse_json, data, path, inner=inner, syntax_path=syntax_path))
        old = outcome(partial(parse_json, data, path, inner=inner, syntax_path=syntax_path))
        assert new == old, (data[:200], path, inner)


def assert_walk_same(value: Any) -> None:
    assert inputs.json_problems(value, "/at") == json_problems(value, "/at"), repr(value)[:200]
    new = outcome(partial(inputs.require_clean, value, "", "the consignment"))
    assert new == outcome(partial(require_clean, value, "", "the consignment")), repr(value)[:200]


def encodings(text: str) -> Iterator[str | bytes]:
    """The text as a str (gRPC, gateways) and as the bytes an HTTP client may send it in."""
    yield text
    yield text.encode("utf-8", "surrogatepass")
    yield b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass")
    yield text.encode("utf-16", "surrogatepass")


# -- the hostile corpus -------------------------------------------------------------------------------------------
TESTS = Path(__file__).resolve().parents[2]


def load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HOSTILE_VALUES = load(TESTS / "hostile" / "nswhostile" / "values.py", "hostile_corpus_values")
HOSTILE_HTTP = load(TESTS / "unit" / "api" / "test_hostile_inputs.py", "hostile_http_cases")
RULES = load(TESTS / "unit" / "api" / "test_input_rules.py", "input_rules_cases")


def parametrized(test: Any) -> list[Any]:
    """The values a test of test_input_rules.py is parametrized with (first argument)."""
    return [case[0] if isinstance(case, tuple) else case for mark in test.pytestmark for case in mark.args[1]]


RULE_TEXTS = [*parametrized(RULES.test_text_the_rule_admits), *parametrized(RULES.test_text_the_rule_refuses)]
# Each screen's edges: escapes that decode to a refused character (or to an allowed one beside it), a backslash
# that is itself escaped, U+nFFFE made of an escaped pair, brackets inside strings, 64/65 levels, int64 and
# float limits, literals that are not JSON numbers.
EDGE_TEXTS = [
    "\b", "\f", "\t", "\n", "\r", "\x1f", " ", "\x7e", "\x7f", "\x80", "\x9f", "\xa0", "\ud7ff", "\ud800", "\udbff",
    "\udc00", "\udfff", "\ue000", "\ufdcf", "\ufdd0", "\ufdef", "\ufdf0", "\ufeff", "\ufffd", "\ufffe", "\uffff",
    "\U00010000", "\U0001fffd", "\U0001fffe", "\U0002ffff", "\U0010fffe", "\U0010ffff", "\U0001f4a9", "\ud83d\ude00",
    "\ud83f\udffe", "\\u0000", "\\\\u0000", "\\b", "a\\", '"', '\\"', "[", "]", "{", "}", "[[[", "]]]", "e400",
    "[" * 100, "{}" * 40,
]  # fmt: skip


def zigzag(levels: int) -> str:
    """``levels`` + 1 levels of arrays with no long run of opening brackets: [[],[[],[[],[]]]]."""
    return "[[]," * levels + "[]" + "]" * levels


# Escaped quotes and backslashes in front of 66 levels: misread, they would shift which brackets are in a string.
QUOTES_BEFORE_DEEP = [r'["\""', r'["\\", "]"', r'["\"", "]"', r'["\\\"]"', r'[{"\"": 1}']
EDGE_RAW = [
    r'"\b"', r'"\f"', r'"\u0000"', r'"\u001F"', r'"\u001f"', r'"\u0009"', r'"\u007F"', r'"\u0080"', r'"\u009f"',
    r'"\u00A0"', r'"\uD800"', r'"\udfff"', r'"\ud83d\ude00"', r'"\uD83F\uDFFE"', r'"\udbff\udfff"', r'"\uFDD0"',
    r'"\ufdef"', r'"\uFDF0"', r'"\uFFFE"', r'"\uffff"', r'"\ufffd"', r'"\\u0000"', r'"\\\u0000"', r'"\\\\u0000"',
    r'"\\b"', r'"\\\b"', r'"\/"', r'"\""', r'"\\"', r'{"\u0000": 1}', r'{"a\\": "]]]"}', r'"\x"', r'"\u12"',
    "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
    "999999999999999999", "-999999999999999999", "1000000000000000000", "99999999999999999999", "-0", "0.0",
    "1e308", "1e309", "-1E+309", "1.7976931348623157e308", "1.7976931348623159e308", "1e-400", "1e99", "1e999",
    "123456789012345678901234567890.5", "NaN", "Infinity", "-Infinity", "nan", "1" * 5000, "1." + "9" * 400,
    "[" * 64 + "]" * 64, "[" * 65 + "]" * 65, '{"a":' * 64 + "1" + "}" * 64, '{"a":' * 65 + "1" + "}" * 65,
    '{"document": ' + "[" * 64 + "]" * 64 + "}", '{"document": ' + "[" * 65 + "]" * 65 + "}",
    "[" * 63 + '"' + "[" * 100 + '"' + "]" * 63, "[" * 63 + r'"\"[[[\\"' + "]" * 63,
    *(text + ", " + deep + "]" for text in QUOTES_BEFORE_DEEP for deep in ("[" * 65 + "]" * 65, zigzag(64))),
    "[" + ",".join(["[]"] * 100) + "]", zigzag(63), zigzag(64), "[" * 2000 + "]" * 2000,
    '"' + "[" * 100 + '"', "", " ", "[", "{}", "[]", '"x"', "null",
    '{"a": 1} x', '{"a": 1, "a": 2}', "\ufeff{}", "{\x00}", '["\x00"]', '["\x7f"]', '["\ud800"]', '["\x1b"]',
]  # fmt: skip


def corpus_documents() -> Iterator[Any]:
    """The consignment example with each hostile value in a string field, as a key and in a number field."""
    example = json.loads(Catalog().get("consignment").valid_examples[0].read_text())
    texts = [*HOSTILE_VALUES.TEXT.values(), *RULE_TEXTS, *EDGE_TEXTS]
    for value in [*texts, *HOSTILE_VALUES.NUMBERS.values()]:
        yield {**example, "consignor": {**example["consignor"], "name": value}}
        yield {**example, "goodsItems": [{"n": value}, *example["goodsItems"]]}
    for text in texts:
        yield {**example, text: 1}


def corpus_bodies() -> Iterator[str | bytes]:
    yield from HOSTILE_VALUES.RAW_BODIES.values()
    yield from (case[3] for case in HOSTILE_HTTP.HTTP_CASES if case[3] is not None)
    for document in [HOSTILE_HTTP.DOCUMENT, *corpus_documents()]:
        body = {"documentType": "consignment", "document": document, "traderReference": "T-1"}
        yield from encodings(HOSTILE_VALUES.dumps(body).decode("utf-8", "surrogatepass"))
        with suppress(ValueError):  # json.dumps refuses 4,301 digits
            yield json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")
    for raw in EDGE_RAW:
        yield from encodings(raw)
        yield from encodings('{"documentType": "consignment", "document": {"v": ' + raw + '}, "x": ' + raw + "}")


def examples() -> Iterator[Path]:
    yield from Catalog().get("consignment").valid_examples
    yield from Catalog().get("consignment").invalid_examples


def test_the_corpus_gets_the_same_answers() -> None:
    bodies = list(corpus_bodies())
    assert len(bodies) > 500
    for body in bodies:
        assert_parse_same(body)


def test_the_corpus_values_get_the_same_problems() -> None:
    documents = list(corpus_documents())
    for document in documents:
        assert_walk_same(document)
        assert_walk_same([document])
    for text in [*HOSTILE_VALUES.TEXT.values(), *RULE_TEXTS, *EDGE_TEXTS]:
        assert_walk_same(text)
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    for value in (cyclic, b"\x00", (1, "\x00"), {1: "a", None: "\x00"}, {(1,): 1}, 2**63, "\x00", 10**5000, [1e400]):
        assert_walk_same(value)


@pytest.mark.parametrize("path", list(examples()), ids=lambda p: p.name)
def test_shipped_examples_take_the_fast_path_with_the_same_value(path: Path) -> None:
    document = json.loads(path.read_text())
    for body in encodings(json.dumps({"documentType": "consignment", "document": document})):
        assert_parse_same(body)
    assert_walk_same(document)
    if path.parent.name == "valid":  # the common case is the one made cheap: no walk at all
        assert inputs._parse_clean(json.dumps(document).encode())[0]
        assert inputs._parse_clean(json.dumps(document, ensure_ascii=False))[0]
        assert inputs._written_clean(document)


# -- generated ----------------------------------------------------------------------------------------------------
SPECIAL = [*EDGE_TEXTS, "\x00", "\x08", "\x0c", "\x1b", "\x85", "\\", "u", "0", "9", "e", "D", "f", " "]
PIECES = st.one_of(st.characters(), st.characters(categories=("Cs", "Cc", "Co", "Cn")), st.sampled_from(SPECIAL))
TEXT = st.lists(PIECES, max_size=8).map("".join)
BOUNDARIES = [0, -1, 2**31, 10**18 - 1, 10**18, -(10**18), 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 10**19, 10**30]
INTEGERS = st.one_of(st.integers(), st.sampled_from(BOUNDARIES), st.integers(-(10**25), 10**25))
SCALARS = st.one_of(st.none(), st.booleans(), INTEGERS, st.floats(), TEXT)


class Raw(str):
    """A token written into the JSON text as it is (numbers Python would not write)."""


RAW_TOKENS = ["1e400", "-1E+309", "1e308", "1e-999", "NaN", "-Infinity", "9" * 30, "-" + "9" * 19, "1" + "0" * 4400]


def nested(value: Any, levels: int, as_object: bool) -> Any:
    for _ in range(levels):
        value = {"k": value} if as_object else [value]
    return value


def values(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    tree = st.recursive(
        leaves,
        lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(TEXT, kids, max_size=4)),
        max_leaves=16,
    )
    deep = st.builds(nested, tree, st.sampled_from([0, 0, 0, 1, 62, 63, 64, 65, 66, 130]), st.booleans())
    return st.one_of(tree, deep)


def write_string(text: str, style: str) -> str:
    if style == "raw":  # control characters as JSON requires, everything else as it is
        return json.dumps(text, ensure_ascii=False)
    if style == "ascii":  # what json.dumps writes by default: \uXXXX, surrogate pairs beyond the BMP
        return json.dumps(text)
    if style == "upper":
        return re.sub(r"\\u[0-9a-f]{4}", lambda m: m.group().upper().replace("\\U", "\\u"), json.dumps(text))
    escaped = "".join(f"\\u{ord(c):04x}" if ord(c) < 0x10000 else c for c in text)  # every character escaped
    return '"' + escaped + '"' if style == "escaped" else '"' + text + '"'  # "verbatim": nothing escaped


def write(value: Any, style: str, space: str) -> str:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, str):
        return write_string(value, style)
    if isinstance(value, dict):
        members = (f"{write_string(k, style)}:{space}{write(v, style, space)}" for k, v in value.items())
        return "{" + f",{space}".join(members) + "}"
    if isinstance(value, list):
        return "[" + f",{space}".join(write(v, style, space) for v in value) + "]"
    return json.dumps(value, allow_nan=True)


@st.composite
def json_texts(draw: st.DrawFn) -> str:
    value = draw(values(st.one_of(SCALARS, st.sampled_from(RAW_TOKENS).map(Raw))))
    if draw(st.booleans()):
        value = {"documentType": "consignment", "document": value, "traderReference": draw(TEXT)}
    style = draw(st.sampled_from(["raw", "ascii", "upper", "escaped", "verbatim"]))
    return write(value, style, draw(st.sampled_from(["", " ", "\n  "])))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_texts(), st.sampled_from(["str", "utf-8", "utf-8-sig", "utf-16"]))
def test_generated_json_text_gets_the_same_answers(text: str, encoding: str) -> None:
    data: str | bytes = text if encoding == "str" else text.encode(encoding, "surrogatepass")
    assert_parse_same(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values(st.one_of(SCALARS, st.binary(max_size=2), st.tuples(SCALARS))))
def test_generated_values_get_the_same_problems(value: Any) -> None:
    assert_walk_same(value)
