"""The Rust fast path of DocumentValidator never changes a verdict or a problem list.

``reference`` is DocumentValidator.validate as it was (jsonschema alone, then the code lists). Every example
under message_specs (valid ones, and invalid ones built from their patch), hypothesis variants of the valid
ones (a leaf redrawn from its own JSON Schema, a value replaced by an odd one or by one from elsewhere in the
document, a property dropped or added) and the inputs where jsonschema-rs alone would disagree with
jsonschema give the same verdict from both engines and the same problems (or the same exception) from
validate as from the reference.
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Iterator, Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from singlewindow.platform.errors import Problem
from singlewindow.platform.specs import Catalog, CodeList, DocumentValidator, apply_invalid_example, read_json
from singlewindow.platform.specs.validation import FORMAT_CHECKER, _fast_validator, schema_problems

CATALOG = Catalog()
TYPES = CATALOG.names()
VARIANTS = settings(
    max_examples=15,  # 23 types x 15 documents, each also validated by jsonschema: a few seconds
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
ODD_STRINGS = [
    "",
    " ",
    "A\x1cB",  # Python's \s matches U+001C, Rust's does not: "^\\S{1,35}$" would pass in Rust alone
    "A\x85B",
    "A\ufeffB",
    "KZ\n",  # Python's $ matches before a final newline, Rust's does not
    "٣",
    "x" * 80,
    "2026-02-30T06:30:00.000Z",
    "2026-12-31T23:59:60.000Z",  # a leap second: Rust's date-time takes it, our strict check does not
    "2026-11-25T06:30:00Z",
    "2026-11-25T06:30:00.000Z\n",
    "2026-13-01",
    "12.5",
    "T",  # too short for a zone offset: refused (the strict check once raised IndexError on it)
]
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, -1, 1.0, 0.5, 2**53 + 1, 1e300, [], {}]),
    st.floats(),
    st.text(max_size=8),
    st.sampled_from(ODD_STRINGS),
)


@cache
def validator() -> DocumentValidator:
    return DocumentValidator(CATALOG)


def reference(checker: DocumentValidator, doc_type: str, document: Any) -> list[Problem]:
    """DocumentValidator.validate before the fast path."""
    python, _, codes = checker._compile(doc_type)
    problems = schema_problems(python, document)
    flagged = {problem.path for problem in problems}
    return problems + [problem for problem in codes.problems(document) if problem.path not in flagged]


def outcome(call: Any) -> Any:
    try:
        return call()
    except Exception as exc:  # the point is to compare whatever either path raises
        return ("raised", type(exc), str(exc))


def assert_same(checker: DocumentValidator, doc_type: str, document: Any) -> None:
    python, fast, _ = checker._compile(doc_type)
    expected = outcome(lambda: reference(checker, doc_type, document))
    assert outcome(lambda: checker.validate(doc_type, document)) == expected
    if fast is not None and not isinstance(expected, tuple):
        rust = outcome(lambda: fast.is_valid(document))
        if not isinstance(rust, tuple):  # Rust refuses non-JSON values with an exception: no verdict
            python_verdict = not schema_problems(python, document)
            # a Rust "valid" is trusted only for plain JSON documents, checked before asking Rust
            assert rust == python_verdict or not plain_json(document), (rust, python_verdict)


def plain_json(value: Any) -> bool:
    if type(value) is dict:
        return all(plain_json(item) for item in value.values())
    if type(value) is list:
        return all(plain_json(item) for item in value)
    return type(value) in {str, int, bool, type(None)} or (type(value) is float and math.isfinite(value))


@pytest.mark.parametrize("doc_type", TYPES)
def test_every_shipped_schema_gets_the_fast_path(doc_type: str) -> None:
    assert _fast_validator(CATALOG.get(doc_type).json_schema) is not None


@pytest.mark.parametrize("doc_type", TYPES)
def test_every_example_gets_the_same_verdict_and_problems(doc_type: str) -> None:
    spec = CATALOG.get(doc_type)
    _, fast, _ = validator()._compile(doc_type)
    assert fast is not None
    for path in spec.valid_examples:
        document = read_json(path)
        assert fast.is_valid(document)
        assert validator().validate(doc_type, document) == [] == reference(validator(), doc_type, document)
    for path in spec.invalid_examples:
        _, document = apply_invalid_example(path, spec.folder / "examples")
        assert_same(validator(), doc_type, document)


def paths(value: Any, where: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield where
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*where, index))


def replaced(value: Any, where: tuple[Any, ...], operation: str, replacement: Any) -> Any:
    if not where:
        return {**value, "unexpected": replacement} if operation == "add" and isinstance(value, dict) else replacement
    head, rest = where[0], where[1:]
    if isinstance(value, dict):
        if not rest and operation == "drop":
            return {key: item for key, item in value.items() if key != head}
        return {
            key: replaced(item, rest, operation, replacement) if key == head else item for key, item in value.items()
        }
    return [replaced(item, rest, operation, replacement) if i == head else item for i, item in enumerate(value)]


def schema_at(schema: Mapping[str, Any], where: tuple[Any, ...]) -> Mapping[str, Any] | None:
    """The JSON Schema node that governs the value at ``where`` (closed spec schemas: properties, items)."""
    node: Any = schema
    for token in (*where, None):
        while isinstance(node, Mapping) and "$ref" in node:
            node = schema["$defs"][str(node["$ref"]).removeprefix("#/$defs/")]
        if token is None or not isinstance(node, Mapping):
            break
        node = node.get("properties", {}).get(token) if isinstance(token, str) else node.get("items")
    return node if isinstance(node, Mapping) else None


@cache
def leaf_strategy(key: str) -> st.SearchStrategy[Any]:
    node = json.loads(key)
    if node.get("type") == "string" and "pattern" in node:
        node.pop("format", None)  # a pattern match is often not a real date: good, both engines must say so
    elif node.get("type") == "string" and "enum" not in node:
        node["maxLength"] = min(node.get("maxLength", 16), 16)
    return from_schema(node)


def redrawn(doc_type: str, where: tuple[Any, ...], data: st.DataObject) -> Any:
    node = schema_at(CATALOG.get(doc_type).json_schema, where)
    if node is None or node.get("type") in {"object", "array"}:
        return data.draw(ODD_VALUES)
    return data.draw(leaf_strategy(json.dumps(node, sort_keys=True)))


@pytest.mark.parametrize("doc_type", TYPES)
@VARIANTS
@given(data=st.data())
def test_variants_of_valid_examples_get_the_same_verdict_and_problems(doc_type: str, data: st.DataObject) -> None:
    document = data.draw(st.sampled_from([read_json(path) for path in CATALOG.get(doc_type).valid_examples]))
    for _ in range(data.draw(st.integers(1, 3))):
        places = list(paths(document))
        source = data.draw(st.sampled_from(["redrawn"] * 4 + ["odd", "elsewhere"]))
        if source == "redrawn":  # mostly still valid: the case where jsonschema is skipped
            leaves = [place for place in places if not isinstance(get(document, place), dict | list)]
            where = data.draw(st.sampled_from(leaves))
            document = replaced(document, where, "replace", redrawn(doc_type, where, data))
            continue
        where = data.draw(st.sampled_from(places))
        value = data.draw(ODD_VALUES) if source == "odd" else get(document, data.draw(st.sampled_from(places)))
        document = replaced(document, where, data.draw(st.sampled_from(["replace", "drop", "add"])), value)
    assert_same(validator(), doc_type, document)


def get(value: Any, where: tuple[Any, ...]) -> Any:
    for token in where:
        value = value[token]
    return value


class Colour(enum.Enum):
    RED = "KZ"


class Text(str):
    __slots__ = ()


PARCEL: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "country"],
    "properties": {
        "id": {"type": "string", "pattern": "^\\S{1,35}$"},
        "country": {"type": "string", "pattern": "^[A-Z]{2}$", "x-codelist": "countries"},
        "count": {"type": "integer", "minimum": 0, "maximum": 9007199254740992},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 2},
        "at": {"type": "string", "format": "date-time"},
        "limit": {"maximum": 5},
    },
}
LISTS = {"countries": CodeList("countries", "t", "s", "1", frozenset({"KZ"}))}
GOOD = {"id": "P-1", "country": "KZ"}


@pytest.fixture
def parcel(tmp_path: Path) -> DocumentValidator:
    folder = tmp_path / "documents" / "parcel"
    folder.mkdir(parents=True)
    (folder / "schema.json").write_text(json.dumps(PARCEL))
    return DocumentValidator(Catalog(tmp_path), LISTS)


@pytest.mark.parametrize(
    "document",
    [
        GOOD,
        GOOD | {"id": "A\x1cB"},
        GOOD | {"id": "A\x85B"},
        GOOD | {"country": "KZ\n"},
        GOOD | {"tags": ("a", "b")},
        GOOD | {"tags": ("a", "b", "c")},
        GOOD | {"count": Decimal("1")},
        GOOD | {"count": 2**53 + 1},
        GOOD | {"count": 2**70},
        GOOD | {"count": True},
        GOOD | {"count": 1.0},
        GOOD | {"limit": float("inf")},  # Rust reads NaN and the infinities as null: maximum would not apply
        GOOD | {"limit": float("-inf")},
        GOOD | {"limit": float("nan")},
        GOOD | {"count": float("inf")},
        GOOD | {"country": Colour.RED},
        GOOD | {"country": Text("KZ")},
        GOOD | {"id": "\ud800"},
        GOOD | {"at": "2026-11-25T06:30:00.000Z"},
        GOOD | {"at": "2026-11-25T06:30:00"},
        GOOD | {"at": "2026-12-31T23:59:60.000Z"},
        GOOD | {"at": "T"},
        GOOD | {"at": ""},
        GOOD | {1: "one"},
        [GOOD],
    ],
)
def test_where_rust_alone_would_differ_the_answer_is_jsonschemas(parcel: DocumentValidator, document: Any) -> None:
    assert_same(parcel, "parcel", document)


@pytest.mark.parametrize(
    "extra",
    [{"multipleOf": 0.1}, {"uniqueItems": True}, {"patternProperties": {"^x": {}}}, {"if": {}, "then": {}}],
)
def test_schemas_with_keywords_the_engines_read_differently_are_left_to_jsonschema(extra: dict[str, Any]) -> None:
    assert _fast_validator(PARCEL) is not None
    assert _fast_validator(PARCEL | {"properties": PARCEL["properties"] | {"n": extra}}) is None
    assert _fast_validator(PARCEL | {"x-anything": {"multipleOf": 2}}) is not None  # annotations are not read


def test_our_format_checks_pass_every_non_string() -> None:
    """jsonschema-rs asks a format function about strings only, so ours must pass everything else."""
    for name in FORMAT_CHECKER.checkers:
        assert all(FORMAT_CHECKER.conforms(value, name) for value in (0, 1.5, True, None, [], {}, ["x"], {"a": "x"}))


def test_a_date_time_too_short_for_a_zone_offset_is_a_problem_not_a_crash() -> None:
    problems = DocumentValidator(CATALOG).validate("agency-decision", {"issuedAt": "T"})
    assert any(p.path == "/issuedAt" and p.code == "format" for p in problems), problems
