"""Rules for type, enum, const, boolean schemas and undecidable keywords."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from singlewindow.registry.jsoncompat import check

Found = Callable[[Any, Any], set[tuple[str, str]]]


def test_integer_to_number_is_a_widening(found: Found) -> None:
    assert found({"type": "number"}, {"type": "integer"}) == set()


def test_number_to_integer_is_a_narrowing(found: Found) -> None:
    assert found({"type": "integer"}, {"type": "number"}) == {("/type", "type-narrowed")}


def test_type_changed_to_unrelated_type(found: Found) -> None:
    assert found({"type": "string"}, {"type": "integer"}) == {("/type", "type-changed")}


def test_type_list_widened_and_narrowed(found: Found) -> None:
    assert found({"type": ["string", "null"]}, {"type": "string"}) == set()
    assert found({"type": "string"}, {"type": ["string", "null"]}) == {("/type", "type-narrowed")}


def test_type_added_to_untyped_writer_narrows(found: Found) -> None:
    assert found({"type": "string"}, {}) == {("/type", "type-narrowed")}
    assert found({}, {"type": "string"}) == set()


def test_enum_widened_and_narrowed(found: Found) -> None:
    assert found({"enum": ["a", "b", "c"]}, {"enum": ["a", "b"]}) == set()
    assert found({"enum": ["a"]}, {"enum": ["a", "b"]}) == {("/enum", "enum-narrowed")}


def test_enum_added_to_open_writer(found: Found) -> None:
    assert found({"type": "string", "enum": ["a"]}, {"type": "string"}) == {("/enum", "enum-added")}


def test_enum_removed_is_a_widening(found: Found) -> None:
    assert found({"type": "string"}, {"type": "string", "enum": ["a", "b"]}) == set()


def test_writer_enum_values_checked_against_reader_keywords(found: Found) -> None:
    assert found({"type": "string", "maxLength": 3}, {"enum": ["abc", "de"]}) == set()
    assert found({"type": "string", "maxLength": 2}, {"enum": ["abc", "de"]}) == {("", "enum-value-rejected")}
    assert found({"type": "string"}, {"enum": ["a", 1]}) == {("/type", "type-changed")}


def test_writer_enum_values_invalid_under_writer_are_ignored(found: Found) -> None:
    assert found({"enum": ["a"]}, {"type": "string", "enum": ["a", 7]}) == set()


def test_const_changed_and_kept(found: Found) -> None:
    assert found({"const": "v2"}, {"const": "v1"}) == {("/const", "const-changed")}
    assert found({"enum": ["v1", "v2"]}, {"const": "v1"}) == set()
    assert found({"const": 1}, {"const": 1.0}) == set()


def test_const_added(found: Found) -> None:
    assert found({"type": "string", "const": "x"}, {"type": "string"}) == {("/const", "const-added")}


def test_boolean_writer_is_a_finite_set_against_a_reader_enum(found: Found) -> None:
    assert found({"enum": [True, False, None]}, {"type": "boolean"}) == set()
    assert found({"enum": [True]}, {"type": "boolean"}) == {("/enum", "enum-narrowed")}


def test_json_equality_does_not_confuse_true_and_one(found: Found) -> None:
    assert found({"enum": [1]}, {"enum": [True]}) == {("/enum", "enum-narrowed")}


def test_boolean_schemas(found: Found) -> None:
    assert found(True, {"type": "string"}) == set()
    assert found({"type": "string"}, False) == set()
    assert found(False, {"type": "string"}) == {("", "false-schema")}
    assert found({"type": "string"}, True) == {("/type", "type-narrowed")}
    assert found(True, True) == set()


def test_annotations_never_matter(found: Found) -> None:
    assert found({"title": "new", "description": "d", "x-owner": "customs"}, {"type": "string"}) == set()


def test_undecidable_keyword_is_reported_not_passed(found: Found) -> None:
    cond = {"if": {"properties": {"k": {"const": 1}}}, "then": {"required": ["a"]}}
    assert found(cond, {"type": "object"}) == {("/if", "undecidable-keyword"), ("/then", "undecidable-keyword")}
    assert found({"type": "object", **cond}, {"type": "object", **cond}) == set()


def test_messages_name_both_sides() -> None:
    [item] = check({"type": "integer"}, {"type": "number"})
    assert "integer" in item.message
    assert "number" in item.message
