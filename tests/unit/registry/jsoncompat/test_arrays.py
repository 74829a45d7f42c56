"""Rules for array keywords: items, prefixItems, minItems/maxItems, uniqueItems."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Found = Callable[[Any, Any], set[tuple[str, str]]]

A = {"type": "array"}
S = {"type": "string"}


def test_items_schema_widened_and_narrowed(found: Found) -> None:
    assert found({**A, "items": {"type": "number"}}, {**A, "items": {"type": "integer"}}) == set()
    assert found({**A, "items": {"type": "integer"}}, {**A, "items": {"type": "number"}}) == {
        ("/items/type", "type-narrowed")
    }


def test_items_added_and_removed(found: Found) -> None:
    assert found({**A, "items": S}, A) == {("/items/type", "type-narrowed")}
    assert found(A, {**A, "items": S}) == set()


def test_items_closed(found: Found) -> None:
    assert found({**A, "prefixItems": [S], "items": False}, {**A, "prefixItems": [S]}) == {("/items", "items-closed")}
    assert found({**A, "prefixItems": [S]}, {**A, "prefixItems": [S], "items": False}) == set()


def test_prefix_items_changed_position(found: Found) -> None:
    old = {**A, "prefixItems": [S, {"type": "integer"}]}
    assert found({**A, "prefixItems": [S, {"type": "number"}]}, old) == set()
    assert found({**A, "prefixItems": [S, {"type": "boolean"}]}, old) == {("/prefixItems/1/type", "type-changed")}


def test_prefix_item_added_against_writer_items(found: Found) -> None:
    old = {**A, "items": {"type": "integer"}}
    assert found({**A, "prefixItems": [{"type": "number"}], "items": {"type": "integer"}}, old) == set()
    assert found({**A, "prefixItems": [S], "items": {"type": "integer"}}, old) == {
        ("/prefixItems/0/type", "type-changed")
    }


def test_prefix_item_removed_falls_to_reader_items(found: Found) -> None:
    old = {**A, "prefixItems": [S], "items": False}
    assert found({**A, "items": S}, old) == set()
    assert found({**A, "items": {"type": "integer"}}, old) == {("/items/type", "type-changed")}


def test_positions_past_writer_max_items_are_vacuous(found: Found) -> None:
    assert found({**A, "prefixItems": [S, {"type": "integer"}]}, {**A, "items": S, "maxItems": 1}) == set()


def test_min_items(found: Found) -> None:
    assert found({**A, "minItems": 1}, {**A, "minItems": 2}) == set()
    assert found({**A, "minItems": 2}, {**A, "minItems": 1}) == {("/minItems", "min-items-increased")}
    assert found({**A, "minItems": 1}, A) == {("/minItems", "min-items-added")}


def test_max_items(found: Found) -> None:
    assert found({**A, "maxItems": 5}, {**A, "maxItems": 3}) == set()
    assert found({**A, "maxItems": 2}, {**A, "maxItems": 3}) == {("/maxItems", "max-items-decreased")}
    assert found({**A, "maxItems": 2}, A) == {("/maxItems", "max-items-added")}
    assert found({**A, "maxItems": 2}, {**A, "prefixItems": [S, S], "items": False}) == set()


def test_unique_items(found: Found) -> None:
    assert found({**A, "uniqueItems": True}, A) == {("/uniqueItems", "unique-items-added")}
    assert found(A, {**A, "uniqueItems": True}) == set()
    assert found({**A, "uniqueItems": True}, {**A, "maxItems": 1}) == set()


DRAFT7_TUPLE = {"$schema": "http://json-schema.org/draft-07/schema#", **A, "items": [S], "additionalItems": False}


def test_legacy_array_items_read_as_prefix_items(found: Found) -> None:
    assert found({**A, "prefixItems": [S], "items": False}, DRAFT7_TUPLE) == set()


def test_array_rules_skip_when_writer_has_no_arrays(found: Found) -> None:
    assert found({"items": False, "minItems": 3}, S) == set()
