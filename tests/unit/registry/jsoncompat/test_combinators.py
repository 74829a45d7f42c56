"""Rules for allOf, anyOf, oneOf and not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Found = Callable[[Any, Any], set[tuple[str, str]]]

S = {"type": "string"}
I = {"type": "integer"}  # noqa: E741
NULL = {"type": "null"}


def test_any_of_branch_added_is_a_widening(found: Found) -> None:
    assert found({"anyOf": [S, I, NULL]}, {"anyOf": [S, I]}) == set()


def test_any_of_branch_removed_is_a_narrowing(found: Found) -> None:
    assert found({"anyOf": [S]}, {"anyOf": [S, I]}) == {("/anyOf", "any-of-narrowed")}


def test_plain_writer_covered_by_a_reader_branch(found: Found) -> None:
    assert found({"anyOf": [I, S]}, S) == set()
    assert found({"anyOf": [I, NULL]}, S) == {("/anyOf", "any-of-narrowed")}


def test_writer_branches_each_covered(found: Found) -> None:
    assert found({"type": ["string", "integer"]}, {"anyOf": [S, I]}) == set()
    assert found({"type": "string"}, {"anyOf": [S, I]}) == {("/type", "type-changed")}


def test_writer_base_keywords_flow_into_branches(found: Found) -> None:
    writer = {"type": "object", "properties": {"k": S}, "anyOf": [{"required": ["k"]}, {"required": ["j"]}]}
    reader = {"anyOf": [{"type": "object", "required": ["k"]}, {"type": "object", "required": ["j"]}]}
    assert found(reader, writer) == set()


def test_one_of_branch_added_when_disjoint(found: Found) -> None:
    assert found({"oneOf": [S, I, NULL]}, {"oneOf": [S, I]}) == set()


def test_one_of_branch_added_that_overlaps(found: Found) -> None:
    assert found({"oneOf": [S, {"maxLength": 5}]}, {"oneOf": [S]}) == {("/oneOf/1", "one-of-overlap")}


def test_one_of_discriminated_objects(found: Found) -> None:
    def kind(value: str, extra: str) -> dict[str, Any]:
        return {"type": "object", "properties": {"kind": {"const": value}, extra: S}, "required": ["kind"]}

    old = {"oneOf": [kind("a", "x"), kind("b", "y")]}
    new = {"oneOf": [kind("a", "x"), kind("b", "y"), kind("c", "z")]}
    assert found(new, old) == set()
    assert found(old, new) == {("/oneOf", "one-of-narrowed")}


def test_unchanged_one_of_beside_a_changed_keyword(found: Found) -> None:
    branches = [{"required": ["a"]}, {"required": ["b"]}]
    old = {"type": "object", "maxProperties": 3, "oneOf": branches}
    new = {"type": "object", "maxProperties": 5, "oneOf": branches}
    assert found(new, old) == set()


def test_all_of_member_added_is_a_narrowing(found: Found) -> None:
    assert found({"allOf": [S, {"maxLength": 3}]}, {"allOf": [S]}) == {("/allOf/1/maxLength", "max-length-added")}


def test_all_of_member_removed_is_a_widening(found: Found) -> None:
    assert found({"allOf": [S]}, {"allOf": [S, {"maxLength": 3}]}) == set()


def test_writer_all_of_is_flattened(found: Found) -> None:
    writer = {"allOf": [{"type": "object", "properties": {"a": S}, "required": ["a"]}, {"required": ["b"]}]}
    assert found({"type": "object", "required": ["a", "b"]}, writer) == set()
    assert found({"type": "object", "required": ["a", "c"]}, writer) == {("/required", "required-added")}


def test_not_unchanged_narrowed_and_changed(found: Found) -> None:
    assert found({"not": NULL}, {"not": NULL}) == set()
    assert found({"not": {"type": "string", "maxLength": 0}}, {"not": S}) == set()
    assert found({"not": S}, {"not": {"type": "string", "maxLength": 0}}) == {("/not", "not-changed")}


def test_not_added_but_disjoint_from_writer(found: Found) -> None:
    assert found({"not": NULL}, S) == set()
    assert found({"not": NULL}, {"type": ["string", "null"]}) == {("/not", "not-changed")}
