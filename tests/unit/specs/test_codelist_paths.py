"""The compiled code-list checks (codepaths.py) find exactly what the walker finds, in the same order.

``CodeListChecker.walked_problems`` is the walker the compiled checks replaced. Every shipped example (valid
ones, and invalid ones built from their patch), hypothesis variants of the valid ones (a value replaced by a
code, listed or not, by an odd value or Python object, or by a value from elsewhere in the document; a
property dropped or added), documents of random shape made of a schema's own property names, and schemas
the compiler cannot follow (walked instead) give the same problems, or the same exception, from both.
"""

from __future__ import annotations

import enum
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from functools import cache
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from singlewindow.platform.errors import Problem
from singlewindow.platform.specs import (
    Catalog,
    CodeList,
    CodeListChecker,
    apply_invalid_example,
    default_specs_dir,
    load_code_lists,
    read_json,
)

CATALOG = Catalog()
TYPES = CATALOG.names()
LISTS = load_code_lists(default_specs_dir())
VARIANTS = settings(
    max_examples=25,  # 23 types x 25 documents, no JSON Schema validation: about a second
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


class Text(str):
    __slots__ = ()


class Colour(enum.Enum):
    RED = "KZ"


class Items(list[Any]):
    pass


class Unhashable(Mapping[Any, Any]):
    """A mapping whose key cannot be looked up in a dict: the walker raises TypeError on it."""

    def __getitem__(self, key: Any) -> Any:
        return "XX"

    def __iter__(self) -> Iterator[Any]:
        return iter([["country"]])

    def __len__(self) -> int:
        return 1


def some_codes() -> list[str]:
    """A few listed codes of every list, and codes that are not listed (or only nearly)."""
    listed = [code for code_list in LISTS.values() for code in sorted(code_list.codes)[:3]]
    return [*listed, "KZ", "XX", "kz", "QQ", "0808", "080810", "0808100000", "089910", "08", "", "KZNZH", "KZT"]


CODES = st.sampled_from(some_codes())
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False),
    st.text(max_size=6),
    CODES,
    CODES.map(Text),
    st.sampled_from([[], {}, (), ("KZ", "XX"), ["KZ", "XX"], {"hsCode": "0808", "nationalCode": "0201"}]),
    st.sampled_from([Colour.RED, MappingProxyType({"country": "XX"}), OrderedDict(country="XX"), Items(["XX"])]),
)


@cache
def checker(doc_type: str) -> CodeListChecker:
    return CodeListChecker(CATALOG.get(doc_type).json_schema, LISTS)


def outcome(call: Any) -> Any:
    try:
        return call()
    except Exception as exc:  # the point is to compare whatever either path raises
        return ("raised", type(exc), str(exc))


def assert_same(codes: CodeListChecker, document: Any) -> list[Problem]:
    expected = outcome(lambda: codes.walked_problems(document))
    assert outcome(lambda: codes.problems(document)) == expected
    return expected if isinstance(expected, list) else []


@pytest.mark.parametrize("doc_type", TYPES)
def test_every_shipped_schema_is_compiled(doc_type: str) -> None:
    assert checker(doc_type).compiled is not None


@pytest.mark.parametrize("doc_type", TYPES)
def test_every_example_gets_the_same_problems(doc_type: str) -> None:
    spec = CATALOG.get(doc_type)
    for path in spec.valid_examples:
        assert assert_same(checker(doc_type), read_json(path)) == []
    for path in spec.invalid_examples:
        example, document = apply_invalid_example(path, spec.folder / "examples")
        problems = assert_same(checker(doc_type), document)
        if example["expect"]["code"] == "codelist":
            assert example["expect"]["path"] in [problem.path for problem in problems]


def test_the_shipped_invalid_examples_exercise_the_code_lists() -> None:
    """The comparison above is not all empty lists: many invalid examples break a code list."""
    found = 0
    for doc_type in TYPES:
        spec = CATALOG.get(doc_type)
        for path in spec.invalid_examples:
            found += len(checker(doc_type).problems(apply_invalid_example(path, spec.folder / "examples")[1]))
    assert found >= 20


def paths(value: Any, where: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield where
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*where, index))


def get(value: Any, where: tuple[Any, ...]) -> Any:
    for token in where:
        value = value[token]
    return value


def replaced(value: Any, where: tuple[Any, ...], operation: str, replacement: Any) -> Any:
    if not where:
        if operation == "add" and isinstance(value, dict):
            return {**value, "unexpected": replacement}
        return replacement
    head, rest = where[0], where[1:]
    if isinstance(value, dict):
        if not rest and operation == "drop":
            return {key: item for key, item in value.items() if key != head}
        return {
            key: replaced(item, rest, operation, replacement) if key == head else item for key, item in value.items()
        }
    return [replaced(item, rest, operation, replacement) if i == head else item for i, item in enumerate(value)]


@pytest.mark.parametrize("doc_type", TYPES)
@VARIANTS
@given(data=st.data())
def test_variants_of_valid_examples_get_the_same_problems(doc_type: str, data: st.DataObject) -> None:
    document = data.draw(st.sampled_from([read_json(path) for path in CATALOG.get(doc_type).valid_examples]))
    for _ in range(data.draw(st.integers(1, 4))):
        places = list(paths(document))
        source = data.draw(st.sampled_from(["code"] * 3 + ["odd", "elsewhere"]))
        if source == "code":  # mostly a coded leaf given another code: the case the checks are for
            leaves = [place for place in places if isinstance(get(document, place), str)] or places
            document = replaced(document, data.draw(st.sampled_from(leaves)), "replace", data.draw(CODES))
            continue
        where = data.draw(st.sampled_from(places))
        value = data.draw(ODD_VALUES) if source == "odd" else get(document, data.draw(st.sampled_from(places)))
        document = replaced(document, where, data.draw(st.sampled_from(["replace", "drop", "add"])), value)
    assert_same(checker(doc_type), document)


def property_names(schema: Any) -> Iterator[str]:
    if isinstance(schema, dict):
        yield from schema.get("properties", {})
        for value in schema.values():
            yield from property_names(value)


def shapes(names: list[str]) -> st.SearchStrategy[Any]:
    """Documents of any shape whose objects use the schema's property names (and a few others)."""
    keys = st.sampled_from([*names, "unexpected", "a/b~c"])
    return st.recursive(
        ODD_VALUES,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(keys, inner, max_size=5)
            | st.dictionaries(keys, inner, max_size=3).map(MappingProxyType)
        ),
        max_leaves=25,
    )


@pytest.mark.parametrize("doc_type", ["consignment", "goods-declaration", "agency-decision", "cargo-manifest"])
@VARIANTS
@given(data=st.data())
def test_documents_of_any_shape_get_the_same_problems(doc_type: str, data: st.DataObject) -> None:
    names = sorted(set(property_names(CATALOG.get(doc_type).json_schema)))
    assert_same(checker(doc_type), data.draw(shapes(names)))


COUNTRIES = {"countries": CodeList("countries", "t", "s", "1", frozenset({"KZ", "CN"})), "hs": LISTS["hs"]}
TREE: dict[str, Any] = {
    "$id": "urn:nsw:spec:tree",
    "type": "object",
    "properties": {
        "country": {"type": "string", "x-codelist": "countries"},
        "a/b~c": {"type": "string", "x-codelist": "countries"},
        "x/y": {"$ref": "#/$defs/Node"},
        "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
        "countries": {"type": "array", "items": {"x-codelist": "countries"}},
        "via": {"$ref": "#/$defs/Country", "x-codelist": "hs"},  # the referring node's list wins
        "chain": {"$ref": "#/$defs/Loop"},  # a $ref cycle: followed 32 times, then given up
        "elsewhere": {"$ref": "other.json#/x"},
        "coded": {"x-codelist": "countries", "properties": {"country": {"x-codelist": "countries"}}},
        "commodity": {"properties": {"hsCode": {"type": "string"}, "nationalCode": {"type": "string"}}},
        "free": {"type": "object", "properties": {"name": {"type": "string"}}},
        "anything": {"items": True},
    },
    "$defs": {
        "Node": {"type": "object", "properties": {"country": {"x-codelist": "countries"}}},
        "Country": {"type": "string", "x-codelist": "countries"},
        "Loop": {"$ref": "#/$defs/Pool"},
        "Pool": {"$ref": "#/$defs/Loop", "x-codelist": "countries"},
    },
}
TREE_DOCUMENTS: list[Any] = [
    {"country": "XX", "a/b~c": "XX", "countries": ["KZ", "XX", 1, ["XX"]], "children": [{"country": "XX"}, "XX"]},
    {"via": "KZ", "chain": "XX", "elsewhere": "XX", "coded": "XX", "free": {"name": "XX"}, "anything": ["XX"]},
    {"coded": {"country": "XX"}, "commodity": {"hsCode": "0808", "nationalCode": "0201"}},
    {"commodity": {"nationalCode": "0201", "hsCode": "0808"}, "country": Text("XX"), "children": ("XX",)},
    {"children": [MappingProxyType({"country": "XX"}), OrderedDict(country="XX")], "country": Colour.RED},
    MappingProxyType({"country": "XX", "children": [{"country": "XX"}]}),
    {"countries": Items(["XX", "KZ"]), "children": Items([{"country": "XX"}]), 1: "XX"},
    {"country": {"country": "XX"}, "countries": {"0": "XX"}, "children": {"country": "XX"}},
    {"x/y": {"country": "XX"}, "commodity": {"hsCode": "0808", "nationalCode": "0201"}, "country": "XX"},
    {"country": "XX", "x/y": Unhashable()},  # raises only where a code may sit: the walker is not skipped
    {"country": Unhashable()},
    {"children": [{"country": "XX"}, Unhashable()]},
    "XX",
    ["XX"],
    None,
]


@pytest.mark.parametrize("document", TREE_DOCUMENTS)
def test_refs_escapes_arrays_and_python_objects_get_the_same_problems(document: Any) -> None:
    codes = CodeListChecker(TREE, COUNTRIES)
    assert codes.compiled is not None
    assert_same(codes, document)


def test_the_tree_finds_what_it_should() -> None:
    codes = CodeListChecker(TREE, COUNTRIES)
    assert [p.path for p in assert_same(codes, TREE_DOCUMENTS[0])] == [
        "/country",
        "/a~1b~0c",
        "/countries/1",
        "/children/0/country",
    ]
    assert [p.path for p in assert_same(codes, TREE_DOCUMENTS[1])] == ["/via", "/chain", "/coded"]
    assert [p.path for p in assert_same(codes, TREE_DOCUMENTS[2])] == ["/coded/country", "/commodity/nationalCode"]


RECURSIVE: dict[str, Any] = {
    "$ref": "#/$defs/Part",
    "$defs": {
        "Part": {
            "type": "object",
            "properties": {"country": {"x-codelist": "countries"}, "parts": {"items": {"$ref": "#/$defs/Part"}}},
        }
    },
}


@pytest.mark.parametrize(
    ("schema", "document", "expected"),
    [
        (RECURSIVE, {"country": "KZ", "parts": [{"parts": [{"country": "XX"}]}]}, ["/parts/0/parts/0/country"]),
        (
            {"properties": {"country": {"x-codelist": "countries"}, "tags": {"properties": ["country"]}}},
            {"country": "XX", "tags": {"other": 1}},
            ["/country"],
        ),
        ({"properties": {"country": {"x-codelist": "countries"}, 1: {}}}, {"country": "XX"}, ["/country"]),
    ],
)
def test_a_schema_the_compiler_cannot_follow_is_walked(schema: Any, document: Any, expected: list[str]) -> None:
    codes = CodeListChecker(schema, COUNTRIES)
    assert codes.compiled is None
    assert [problem.path for problem in codes.problems(document)] == expected
    assert codes.problems(document) == codes.walked_problems(document)


def test_a_walked_schema_raises_what_the_walker_raises() -> None:
    codes = CodeListChecker({"properties": {"tags": {"properties": ["country"]}}}, COUNTRIES)
    assert codes.compiled is None
    with pytest.raises(TypeError):
        codes.problems({"tags": {"country": "KZ"}})


def test_a_schema_without_codes_finds_nothing() -> None:
    codes = CodeListChecker({"properties": {"name": {"type": "string"}}}, COUNTRIES)
    assert codes.compiled is not None
    assert codes.problems({"name": "XX"}) == [] == codes.walked_problems({"name": "XX"})
