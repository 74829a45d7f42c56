"""Local $ref/$defs resolution on both sides, recursion guards and unresolvable references."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Found = Callable[[Any, Any], set[tuple[str, str]]]


def with_defs(root: dict[str, Any], **defs: Any) -> dict[str, Any]:
    return {**root, "$defs": defs}


def test_refs_resolved_on_both_sides(found: Found) -> None:
    old = with_defs({"$ref": "#/$defs/code"}, code={"type": "string", "maxLength": 3})
    new = with_defs({"$ref": "#/$defs/code"}, code={"type": "string", "maxLength": 2})
    assert found(new, old) == {("/$defs/code/maxLength", "max-length-decreased")}
    assert found(old, new) == set()


def test_ref_against_inline_schema(found: Found) -> None:
    old = {"type": "object", "properties": {"c": {"type": "string"}}}
    new = with_defs({"type": "object", "properties": {"c": {"$ref": "#/$defs/c"}}}, c={"type": "string"})
    assert found(new, old) == set()
    assert found(old, new) == set()


def test_renamed_definition_with_same_content(found: Found) -> None:
    old = with_defs({"$ref": "#/$defs/a"}, a={"type": "integer"})
    new = with_defs({"$ref": "#/$defs/b"}, b={"type": "integer"})
    assert found(new, old) == set()


def test_same_ref_text_with_different_targets_is_compared(found: Found) -> None:
    old = with_defs({"properties": {"x": {"$ref": "#/$defs/t"}}}, t={"type": "number"})
    new = with_defs({"properties": {"x": {"$ref": "#/$defs/t"}}}, t={"type": "integer"})
    assert found(new, old) == {("/$defs/t/type", "type-narrowed")}


def test_ref_with_sibling_keywords(found: Found) -> None:
    old = with_defs({"$ref": "#/$defs/s", "maxLength": 9}, s={"type": "string"})
    new = with_defs({"$ref": "#/$defs/s", "maxLength": 5}, s={"type": "string"})
    assert found(new, old) == {("/allOf/1/maxLength", "max-length-decreased")}


def test_recursive_schema_terminates(found: Found) -> None:
    def tree(leaf: dict[str, Any]) -> dict[str, Any]:
        node = {
            "type": "object",
            "properties": {"value": leaf, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
        }
        return with_defs({"$ref": "#/$defs/node"}, node=node)

    assert found(tree({"type": "number"}), tree({"type": "integer"})) == set()
    assert found(tree({"type": "integer"}), tree({"type": "number"})) == {
        ("/$defs/node/properties/value/type", "type-narrowed")
    }


def test_reference_cycle_without_nesting_is_not_passed(found: Found) -> None:
    reader = with_defs({"$ref": "#/$defs/b"}, b={"anyOf": [{"type": "string"}, {"$ref": "#/$defs/b"}]})
    assert ("/$defs/b/anyOf", "any-of-narrowed") in found(reader, {"type": "integer"})


def test_anchor_refs(found: Found) -> None:
    old = with_defs({"$ref": "#code"}, code={"$anchor": "code", "type": "string"})
    assert found(old, {"type": "string"}) == set()


def test_remote_ref_is_reported(found: Found) -> None:
    assert found({"$ref": "https://example.org/other.json"}, {"type": "string"}) == {("", "ref-unresolvable")}
    assert found({"type": "string"}, {"$ref": "https://example.org/other.json"}) == {("", "ref-unresolvable")}


def test_ref_by_root_id(found: Found) -> None:
    root = {
        "$id": "https://nsw.example/s.json",
        "$ref": "https://nsw.example/s.json#/$defs/x",
        "$defs": {"x": {"type": "string"}},
    }
    assert found(root, {"type": "string"}) == set()


def test_embedded_resources_are_not_guessed(found: Found) -> None:
    schema = {"$defs": {"x": {"$id": "https://nsw.example/x.json", "type": "string"}}, "$ref": "#/$defs/x"}
    assert found(schema, {"type": "string"}) == {("", "ref-unresolvable")}
