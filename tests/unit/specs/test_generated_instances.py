"""Both schemas of every shipped document type accept the same documents (hypothesis).

JSON -> Avro: instances generated from the JSON Schema convert to Avro, survive the binary encoding and
come back valid and equal (decimals compare by value: the pattern allows ``007.50``, Avro keeps 7.50).
Avro -> JSON: datums generated from the Avro schema (shape, nulls, enums, logical types, integer ranges
from Avro) come back as JSON documents the JSON Schema accepts. Avro knows nothing of string patterns, so
string leaves are drawn from the JSON Schema at the same position.

hypothesis-jsonschema rebuilds nested strategies at every draw (about 3 s per consignment instance), so
objects and arrays are composed here (exact for spec schemas: closed objects, no combinators, as the
generator enforces) from leaf strategies it builds once. Generation narrows a few things, and every
instance is still validated against the real schema: timestamps and dates use a pattern that only yields
real instants (the format check alone would reject most pattern matches), arrays hold at most two
items, unpatterned strings at most 16 characters and integers stay in Avro's long range.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

import fastavro
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator

from singlewindow.platform.specs import Catalog, avro_round_trip
from singlewindow.platform.specs.validation import FORMAT_CHECKER, schema_problems
from singlewindow.registry.jsonavro import from_avro_datum, to_avro_datum
from singlewindow.registry.jsonavro.names import NameIndex, child_namespace
from singlewindow.registry.jsonavro.patterns import DATE_PATTERN, TIMESTAMP_PATTERN, decimal_pattern_digits

CATALOG = Catalog()
_DAY = r"(19[7-9][0-9]|20[0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"
TIMESTAMP_GENERATION = rf"^{_DAY}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{{3}}Z$"
DATE_GENERATION = rf"^{_DAY}$"
MAX_ITEMS, MAX_TEXT = 2, 16
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LAST_MILLISECOND = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z: the 4-digit-year limit of the pattern
PROPERTY_SETTINGS = settings(
    max_examples=10,  # 23 types x 2 directions x 10 = 460 generated documents, about a minute
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


class JsonInstances:
    """Strategies for the instances of a (closed, mapping-table) JSON Schema."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.defs: Mapping[str, Any] = schema.get("$defs", {})
        self.leaves: dict[str, st.SearchStrategy[Any]] = {}

    def resolve(self, node: Mapping[str, Any]) -> Mapping[str, Any]:
        while "$ref" in node:
            node = self.defs[str(node["$ref"]).removeprefix("#/$defs/")]
        return node

    def strategy(self, node: Mapping[str, Any]) -> st.SearchStrategy[Any]:
        node = self.resolve(node)
        if node.get("type") == "object":
            properties, required = node.get("properties", {}), set(node.get("required", []))
            return st.fixed_dictionaries(
                {name: self.strategy(sub) for name, sub in properties.items() if name in required},
                optional={name: self.strategy(sub) for name, sub in properties.items() if name not in required},
            )
        if node.get("type") == "array":
            low, high = array_bounds(node)
            unique = (lambda item: json.dumps(item, sort_keys=True)) if node.get("uniqueItems") else None
            return st.lists(self.strategy(node["items"]), min_size=low, max_size=high, unique_by=unique)
        return self.leaf(node)

    def leaf(self, node: Mapping[str, Any]) -> st.SearchStrategy[Any]:
        narrowed = dict(node)
        if narrowed.get("pattern") == TIMESTAMP_PATTERN:
            narrowed["pattern"] = TIMESTAMP_GENERATION
            narrowed.pop("format", None)
        elif narrowed.get("pattern") == DATE_PATTERN:
            narrowed["pattern"] = DATE_GENERATION
            narrowed.pop("format", None)
        elif narrowed.get("type") == "string" and "pattern" not in narrowed and "enum" not in narrowed:
            narrowed["maxLength"] = min(
                narrowed.get("maxLength", MAX_TEXT), max(narrowed.get("minLength", 0), MAX_TEXT)
            )
        elif narrowed.get("type") == "integer":
            # An integer without bounds maps to Avro long (mapping table), which ends at 2**63 - 1: JSON
            # values beyond it have no Avro twin. Generation stays inside; `nsw specs check` cannot see it.
            narrowed["minimum"] = max(narrowed.get("minimum", LONG_MIN), LONG_MIN)
            narrowed["maximum"] = min(narrowed.get("maximum", LONG_MAX), LONG_MAX)
        key = json.dumps(narrowed, sort_keys=True)
        if key not in self.leaves:
            self.leaves[key] = from_schema(narrowed)
        return self.leaves[key]


def array_bounds(node: Mapping[str, Any]) -> tuple[int, int]:
    low = int(node.get("minItems", 0))
    return low, max(low, min(int(node.get("maxItems", MAX_ITEMS)), MAX_ITEMS))


class AvroDatums:
    """Strategies for Avro datums of a generated schema, with JSON constraints the Avro side cannot hold."""

    def __init__(self, avro_schema: Any, json_instances: JsonInstances) -> None:
        self.names = NameIndex(avro_schema)
        self.json = json_instances

    def strategy(self, avro: Any, namespace: str | None, node: Mapping[str, Any]) -> st.SearchStrategy[Any]:
        avro, namespace = self.names.resolve(avro, namespace)
        node = self.json.resolve(node)
        if isinstance(avro, list):
            (branch,) = [b for b in avro if b != "null"]
            return st.none() | self.strategy(branch, namespace, node)
        if isinstance(avro, str):
            return self.primitive(avro, node)
        logical = avro.get("logicalType")
        if logical == "decimal":
            return decimals(avro["precision"], avro["scale"], node.get("pattern"))
        if logical == "timestamp-millis":
            return st.integers(-62_135_596_800_000, LAST_MILLISECOND).map(lambda ms: EPOCH + timedelta(milliseconds=ms))
        if logical == "date":
            return st.dates()
        if avro["type"] == "record":
            inner, properties = child_namespace(avro, namespace), node["properties"]
            return st.fixed_dictionaries(
                {f["name"]: self.strategy(f["type"], inner, properties[f["name"]]) for f in avro["fields"]}
            )
        if avro["type"] == "enum":
            return st.sampled_from(avro["symbols"])
        low, high = array_bounds(node)
        return st.lists(self.strategy(avro["items"], namespace, node["items"]), min_size=low, max_size=high)

    def primitive(self, kind: str, node: Mapping[str, Any]) -> st.SearchStrategy[Any]:
        if kind == "boolean":
            return st.booleans()
        if kind in {"int", "long"}:
            bits = 31 if kind == "int" else 63
            low = max(-(2**bits), int(node.get("minimum", -(2**bits))))
            high = min(2**bits - 1, int(node.get("maximum", 2**bits - 1)))
            return st.integers(low, high)
        if kind == "double":
            return st.floats(node.get("minimum"), node.get("maximum"), allow_nan=False, allow_infinity=False)
        return self.json.leaf(node)


def decimals(precision: int, scale: int, pattern: Any) -> st.SearchStrategy[Decimal]:
    integer_digits, _ = decimal_pattern_digits(pattern) or (precision - scale, scale)
    bound = 10 ** (min(integer_digits, precision - scale) + scale) - 1
    low = -bound if str(pattern).startswith("^-?") else 0
    return st.integers(low, bound).map(lambda units: Decimal(units).scaleb(-scale))


@cache
def prepared(doc_type: str) -> tuple[Draft202012Validator, Any, st.SearchStrategy[Any], st.SearchStrategy[Any]]:
    document_type = CATALOG.get(doc_type)
    schema = document_type.json_schema
    instances = JsonInstances(schema)
    parsed = fastavro.parse_schema(document_type.avro_schema)
    validator = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
    datums = AvroDatums(document_type.avro_schema, instances).strategy(document_type.avro_schema, None, schema)
    return validator, parsed, instances.strategy(schema), datums


@pytest.mark.parametrize("doc_type", CATALOG.names())
@PROPERTY_SETTINGS
@given(data=st.data())
def test_instances_of_the_json_schema_round_trip_through_the_avro_twin(doc_type: str, data: st.DataObject) -> None:
    validator, parsed, instances, _ = prepared(doc_type)
    document = data.draw(instances)
    assert schema_problems(validator, document) == [], "the generator drew an invalid instance"
    back = avro_round_trip(parsed, document)
    assert schema_problems(validator, back) == []
    assert to_avro_datum(parsed, back) == to_avro_datum(parsed, document)


@pytest.mark.parametrize("doc_type", CATALOG.names())
@PROPERTY_SETTINGS
@given(data=st.data())
def test_datums_of_the_avro_schema_are_documents_the_json_schema_accepts(doc_type: str, data: st.DataObject) -> None:
    validator, parsed, _, datums = prepared(doc_type)
    datum = data.draw(datums)
    document = from_avro_datum(parsed, datum)
    assert schema_problems(validator, document) == []
    assert avro_round_trip(parsed, document) == document
