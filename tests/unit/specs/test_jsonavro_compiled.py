"""The compiled JSON <-> Avro converters behave exactly as the reference walker.

For every shipped document type: each example (valid, and the invalid ones as patched documents) and
hypothesis mutations of the valid ones (a value replaced by another JSON value or one taken from elsewhere
in the document, a property dropped or added) give the same datum, with the same types and key order, or
the same error (type, message, pointer, cause) through ``to_avro_datum`` as through the walker; the same
holds for datums read back and mutated on the Avro side. The compiled converter alone must succeed exactly
where the walker does (otherwise every call would pay for both), and fastavro writes the same bytes for a
datum with tagged unions as for the plain one.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

import fastavro
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from singlewindow.platform.specs import Catalog, apply_invalid_example, read_json
from singlewindow.registry.jsonavro import DatumConversionError, from_avro_datum, to_avro_datum
from singlewindow.registry.jsonavro.compiled import Convert, compile_converter
from singlewindow.registry.jsonavro.names import NameIndex
from singlewindow.registry.jsonavro.walker import Walker

CATALOG = Catalog()
TYPES = CATALOG.names()
MUTATIONS = settings(
    max_examples=12,  # 23 types x 12 x 2 directions: about 550 mutated documents, a few seconds
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NEAR_MISSES = [
    "",
    "12.5",
    "12.50",
    "-0.000",
    "1e3",
    " 1.000",
    "2026-02-30T06:30:00.000Z",
    "2026-11-25T06:30:00Z",
    "2026-11-25T06:30:00.000+00:00",
    "2026-13-01",
    "0000-01-01",
    "GREEN",
    "KZ",
]
JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**65), 2**65),
    st.sampled_from([0, -1, 2**31 - 1, 2**31, -(2**31) - 1, 2**63, 1.0, -18.5]),
    st.floats(allow_nan=False),
    st.text(max_size=6),
    st.sampled_from(NEAR_MISSES),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.sampled_from(["name", "x", "code"]), st.text(max_size=3), max_size=2),
)
DATUM_VALUES = st.one_of(
    JSON_VALUES,
    st.sampled_from(
        [
            Decimal("7.5"),
            Decimal("-0.001"),
            Decimal("1E+2"),
            datetime(2026, 11, 25, 6, 30, tzinfo=UTC),
            datetime(2026, 11, 25, 6, 30),
            date(2026, 12, 31),
            1_764_052_200_120,
            ("x", 1),
            b"bytes",
        ]
    ),
)


def outcome(convert: Callable[[], Any]) -> tuple[Any, ...]:
    """What a conversion did, comparable across implementations: the value with every type, or the error."""
    try:
        value = convert()
    except Exception as exc:  # the point is to compare whatever either side raises
        fields = (getattr(exc, "pointer", None), getattr(exc, "reason", None))
        return ("raised", type(exc), str(exc), *fields, type(exc.__cause__))
    return ("returned", typed(value))


def typed(value: Any) -> Any:
    if isinstance(value, dict):
        return ("dict", [(key, typed(item)) for key, item in value.items()])
    if isinstance(value, list | tuple):
        return (type(value).__name__, [typed(item) for item in value])
    return (type(value).__name__, value)


@cache
def reference(doc_type: str) -> tuple[dict[str, Any], Walker, Convert, Convert, Convert, Any]:
    """The Avro schema, its walker, its three compiled converters and fastavro's parse of it."""
    schema = CATALOG.get(doc_type).avro_schema
    names = NameIndex(schema)
    compiled = [
        compile_converter(names, schema, to_avro=to, tag_unions=tag)
        for to, tag in [(True, False), (True, True), (False, False)]
    ]
    assert all(convert is not None for convert in compiled), "the compiler refused a shipped schema"
    to_avro, tagged, from_avro = (convert for convert in compiled if convert is not None)
    return schema, Walker(names), to_avro, tagged, from_avro, fastavro.parse_schema(schema)


def examples(doc_type: str) -> list[Any]:
    spec = CATALOG.get(doc_type)
    documents = [read_json(path) for path in spec.valid_examples]
    return documents + [apply_invalid_example(path, spec.folder / "examples")[1] for path in spec.invalid_examples]


def write(parsed: Any, datum: Any) -> bytes:
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, parsed, datum)
    return buffer.getvalue()


def read(parsed: Any, body: bytes) -> Any:
    return fastavro.schemaless_reader(io.BytesIO(body), parsed, parsed)


def assert_to_avro_agrees(doc_type: str, document: Any) -> None:
    schema, walker, to_avro, tagged, _, parsed = reference(doc_type)
    expected = outcome(lambda: walker.to_avro(schema, None, document, ""))
    assert outcome(lambda: to_avro_datum(schema, document)) == expected
    assert outcome(lambda: to_avro_datum(parsed, document)) == expected
    compiled = outcome(lambda: to_avro(document))
    assert compiled[0] == expected[0], f"compiled {compiled[:3]}, walker {expected[:3]}"
    if expected[0] == "returned":
        assert compiled == expected
        datum = to_avro_datum(schema, document)
        assert write(parsed, tagged(document)) == write(parsed, datum)
        assert write(parsed, to_avro_datum(schema, document, tag_unions=True)) == write(parsed, datum)


def assert_from_avro_agrees(doc_type: str, datum: Any) -> None:
    schema, walker, _, _, from_avro, parsed = reference(doc_type)
    expected = outcome(lambda: walker.from_avro(schema, None, datum, ""))
    assert outcome(lambda: from_avro_datum(schema, datum)) == expected
    assert outcome(lambda: from_avro_datum(parsed, datum)) == expected
    compiled = outcome(lambda: from_avro(datum))
    assert compiled[0] == expected[0], f"compiled {compiled[:3]}, walker {expected[:3]}"
    if expected[0] == "returned":
        assert compiled == expected


@pytest.mark.parametrize("doc_type", TYPES)
def test_every_example_converts_as_the_walker_converts_it(doc_type: str) -> None:
    for document in examples(doc_type):
        assert_to_avro_agrees(doc_type, document)


@pytest.mark.parametrize("doc_type", TYPES)
def test_every_valid_example_round_trips_through_the_compiled_path(doc_type: str) -> None:
    _, _, to_avro, tagged, from_avro, parsed = reference(doc_type)
    for path in CATALOG.get(doc_type).valid_examples:
        document = read_json(path)
        datum = read(parsed, write(parsed, tagged(document)))
        assert from_avro(datum) == document
        assert_from_avro_agrees(doc_type, datum)
        assert read(parsed, write(parsed, to_avro(document))) == datum


def paths(value: Any, where: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON value, the root included."""
    yield where
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*where, index))


def mutate(document: Any, data: st.DataObject, values: st.SearchStrategy[Any]) -> Any:
    """``document`` with one to three places replaced, dropped or given an unknown property."""
    for _ in range(data.draw(st.integers(1, 3))):
        places = list(paths(document))
        where = data.draw(st.sampled_from(places))
        elsewhere = get(document, data.draw(st.sampled_from(places)))
        replacement = data.draw(st.one_of(values, st.just(elsewhere)))
        operation = data.draw(st.sampled_from(["replace", "drop", "add"]))
        document = edit(document, where, operation, replacement)
    return document


def get(value: Any, where: tuple[Any, ...]) -> Any:
    for token in where:
        value = value[token]
    return value


def edit(value: Any, where: tuple[Any, ...], operation: str, replacement: Any) -> Any:
    if not where:
        if operation == "add" and isinstance(value, dict):
            return {**value, "unexpected": replacement}
        return replacement
    head, rest = where[0], where[1:]
    if isinstance(value, dict):
        if not rest and operation == "drop":
            return {key: item for key, item in value.items() if key != head}
        return {key: edit(item, rest, operation, replacement) if key == head else item for key, item in value.items()}
    return [edit(item, rest, operation, replacement) if index == head else item for index, item in enumerate(value)]


@pytest.mark.parametrize("doc_type", TYPES)
@MUTATIONS
@given(data=st.data())
def test_mutated_documents_convert_or_fail_as_with_the_walker(doc_type: str, data: st.DataObject) -> None:
    document = data.draw(st.sampled_from([read_json(path) for path in CATALOG.get(doc_type).valid_examples]))
    assert_to_avro_agrees(doc_type, mutate(document, data, JSON_VALUES))


@pytest.mark.parametrize("doc_type", TYPES)
@MUTATIONS
@given(data=st.data())
def test_mutated_datums_convert_back_or_fail_as_with_the_walker(doc_type: str, data: st.DataObject) -> None:
    _, _, _, _, _, parsed = reference(doc_type)
    document = data.draw(st.sampled_from([read_json(path) for path in CATALOG.get(doc_type).valid_examples]))
    datum = read(parsed, write(parsed, to_avro_datum(parsed, document)))
    assert_from_avro_agrees(doc_type, mutate(datum, data, DATUM_VALUES))


TREE = {
    "type": "record",
    "name": "Node",
    "namespace": "org.example",
    "fields": [
        {"name": "label", "type": "string"},
        {"name": "weight", "type": ["null", "double"], "default": None},
        {"name": "children", "type": {"type": "array", "items": "Node"}},
        {"name": "next", "type": ["null", "Node"], "default": None},
        {"name": "tags", "type": ["null", {"type": "map", "values": "long"}], "default": None},
        {"name": "either", "type": ["null", "int", "string", {"type": "enum", "name": "Colour", "symbols": ["RED"]}]},
        {"name": "wrapped", "type": {"type": "string"}},
        {"name": "plain", "type": {"type": "boolean"}},
        {"name": "colour", "type": ["null", "Colour"], "default": None},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
    ],
}


def tree_cases() -> list[Any]:
    leaf = {"label": "leaf", "children": [], "either": None, "wrapped": "w", "plain": True, "day": "2026-03-01"}
    good = leaf | {"weight": 2, "children": [leaf], "next": leaf | {"label": "next"}, "tags": {"a": 1}, "either": 5}
    return [
        good,
        good | {"either": "RED"},
        good | {"either": 2**40},  # an int out of range that the string and enum branches refuse too
        good | {"either": 1.5},
        good | {"colour": "RED"},
        good | {"colour": "BLUE"},
        good | {"tags": {"a": True}},
        good | {"children": [leaf | {"day": "2026-02-30"}]},
        good | {"next": leaf | {"unknown": 1, 2: "two"}},  # keys that do not sort: TypeError, as before
        {key: value for key, value in good.items() if key != "wrapped"},
        good | {"plain": 1},
        good | {"weight": None},
        good | {"wrapped": None},
        [good],
    ]


def tree_agrees(walker: Walker, parsed: Any, document: Any) -> bool:
    """Whether ``document`` converted (both ways, each as the walker does it)."""
    expected = outcome(lambda: walker.to_avro(TREE, None, document, ""))
    assert outcome(lambda: to_avro_datum(TREE, document)) == expected
    if expected[0] == "raised":
        return False
    datum = to_avro_datum(TREE, document)
    assert write(parsed, to_avro_datum(TREE, document, tag_unions=True)) == write(parsed, datum)
    back = read(parsed, write(parsed, datum))
    assert outcome(lambda: from_avro_datum(TREE, back)) == outcome(lambda: walker.from_avro(TREE, None, back, ""))
    return True


def test_recursive_records_unions_maps_and_wrapped_types_agree_with_the_walker() -> None:
    names = NameIndex(TREE)
    assert compile_converter(names, TREE, to_avro=True) is not None
    assert compile_converter(names, TREE, to_avro=False) is not None
    parsed = fastavro.parse_schema(TREE)
    converted = [tree_agrees(Walker(names), parsed, document) for document in tree_cases()]
    assert converted.count(True) >= 4


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        ({"type": "record", "name": "R", "fields": [{"name": "p", "type": "org.example.Missing"}]}, {"p": {}}),
        ({"type": "record", "name": "R", "fields": [{"name": "p", "type": "org.example.Missing"}]}, {}),
        ({"type": "enum", "name": "E"}, "A"),  # no symbols: the KeyError the walker raises
        ({"type": "bytes", "logicalType": "decimal", "scale": 2}, "1.00"),  # no precision
        ({"type": "record", "name": "R", "fields": [{"type": "string"}]}, {}),  # a field without a name
        ({"type": "fixed", "name": "F", "size": 2}, "ab"),
        ("bytes", "ab"),
        ("null", None),
    ],
)
def test_malformed_or_unmapped_schemas_fail_exactly_as_before(schema: Any, value: Any) -> None:
    walker = Walker(NameIndex(schema))
    assert outcome(lambda: to_avro_datum(schema, value)) == outcome(lambda: walker.to_avro(schema, None, value, ""))
    assert outcome(lambda: from_avro_datum(schema, value)) == outcome(lambda: walker.from_avro(schema, None, value, ""))


def test_errors_keep_their_pointer_message_and_cause() -> None:
    schema = CATALOG.get("consignment").avro_schema
    document = read_json(CATALOG.get("consignment").valid_examples[0])
    document["goodsItems"][0]["commodityCode"] = {"hsCode": "080810", "unexpected/~": 1}
    with pytest.raises(DatumConversionError) as caught:
        to_avro_datum(schema, document)
    assert str(caught.value) == "/goodsItems/0/commodityCode/unexpected~1~0: property not in the Avro schema"
    document = read_json(CATALOG.get("consignment").valid_examples[0]) | {"issuedAt": "2026-02-30T06:30:00.000Z"}
    with pytest.raises(DatumConversionError, match=r"^/issuedAt: not a real instant: day is out of range") as caught:
        to_avro_datum(schema, document)
    assert isinstance(caught.value.__cause__, ValueError)
