"""Corpus of (reader, writer) pairs with the true verdict: is every writer instance valid under reader?

``compatible`` is the semantic truth. ``conservative`` marks the few pairs whose truth is "compatible"
but which the checker, by design, cannot prove and reports (pattern inclusion, changed ``not``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Case:
    name: str
    reader: Any
    writer: Any
    compatible: bool
    conservative: bool = False


S: dict[str, Any] = {"type": "string"}
I: dict[str, Any] = {"type": "integer"}  # noqa: E741
N: dict[str, Any] = {"type": "number"}
B: dict[str, Any] = {"type": "boolean"}
NULL: dict[str, Any] = {"type": "null"}
A: dict[str, Any] = {"type": "array"}


def obj(props: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props, **extra}


def closed(props: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return obj(props, additionalProperties=False, **extra)


def defs(root: dict[str, Any], **definitions: Any) -> dict[str, Any]:
    return {**root, "$defs": definitions}


def kind(tag: str, **props: Any) -> dict[str, Any]:
    return closed({"kind": {"const": tag}, **props}, required=["kind"])


CASES: list[Case] = [
    # types
    Case("same-string", S, S, True),
    Case("integer-to-number", N, I, True),
    Case("number-to-integer", I, N, False),
    Case("string-to-integer", I, S, False),
    Case("add-null-to-type", {"type": ["string", "null"]}, S, True),
    Case("drop-null-from-type", S, {"type": ["string", "null"]}, False),
    Case("type-removed", {}, I, True),
    Case("type-added", S, {}, False),
    Case("true-reader", True, {"type": "object"}, True),
    Case("false-writer", S, False, True),
    Case("false-reader", False, S, False),
    # enum / const
    Case("enum-widened", {"enum": ["a", "b", "c"]}, {"enum": ["a", "b"]}, True),
    Case("enum-narrowed", {"enum": ["a"]}, {"enum": ["a", "b"]}, False),
    Case("enum-added", {**S, "enum": ["a"]}, S, False),
    Case("enum-removed", S, {**S, "enum": ["a"]}, True),
    Case("enum-within-maxlength", {**S, "maxLength": 2}, {"enum": ["ab", "c"]}, True),
    Case("enum-beyond-maxlength", {**S, "maxLength": 1}, {"enum": ["ab", "c"]}, False),
    Case("const-to-enum", {"enum": ["x", "y"]}, {"const": "x"}, True),
    Case("const-changed", {"const": "y"}, {"const": "x"}, False),
    Case("boolean-to-enum", {"enum": [True, False]}, B, True),
    # strings
    Case("maxlength-lengthened", {**S, "maxLength": 35}, {**S, "maxLength": 20}, True),
    Case("maxlength-shortened", {**S, "maxLength": 10}, {**S, "maxLength": 20}, False),
    Case("maxlength-added", {**S, "maxLength": 10}, S, False),
    Case("minlength-lowered", {**S, "minLength": 1}, {**S, "minLength": 3}, True),
    Case("minlength-raised", {**S, "minLength": 4}, {**S, "minLength": 3}, False),
    Case("pattern-removed", S, {**S, "pattern": "^[A-Z]{2}$"}, True),
    Case("pattern-added", {**S, "pattern": "^[A-Z]{2}$"}, S, False),
    Case("pattern-same", {**S, "pattern": "^[A-Z]{2}$"}, {**S, "pattern": "^[A-Z]{2}$"}, True),
    Case("pattern-widened", {**S, "pattern": "^[A-Z]{2,3}$"}, {**S, "pattern": "^[A-Z]{2}$"}, True, conservative=True),
    Case("format-added", {**S, "format": "date"}, S, False),
    # numbers
    Case("minimum-lowered", {**N, "minimum": 0}, {**N, "minimum": 10}, True),
    Case("minimum-raised", {**N, "minimum": 11}, {**N, "minimum": 10}, False),
    Case("maximum-raised", {**N, "maximum": 100}, {**N, "maximum": 10}, True),
    Case("maximum-lowered", {**N, "maximum": 9}, {**N, "maximum": 10}, False),
    Case("maximum-added", {**N, "maximum": 9}, N, False),
    Case("exclusive-minimum-vs-minimum", {**N, "exclusiveMinimum": 0}, {**N, "minimum": 0}, False),
    Case("minimum-vs-exclusive-minimum", {**N, "minimum": 0}, {**N, "exclusiveMinimum": 0}, True),
    Case("exclusive-maximum-raised", {**N, "exclusiveMaximum": 11}, {**N, "exclusiveMaximum": 10}, True),
    Case("integer-bounds-integral", {**I, "minimum": 1}, {**I, "exclusiveMinimum": 0}, True),
    Case("multipleof-divides", {**N, "multipleOf": 5}, {**N, "multipleOf": 10}, True),
    Case("multipleof-changed", {**N, "multipleOf": 3}, {**N, "multipleOf": 10}, False),
    Case("multipleof-added", {**N, "multipleOf": 2}, I, False),
    # objects: content models
    Case("closed-add-optional", closed({"a": S, "b": S}), closed({"a": S}), True),
    Case("closed-add-required", closed({"a": S, "b": S}, required=["b"]), closed({"a": S}), False),
    Case("closed-remove", closed({"a": S}), closed({"a": S, "b": S}), False),
    Case("open-add-optional", obj({"a": S, "b": S}), obj({"a": S}), False),
    Case("open-add-empty-schema", obj({"a": S, "b": {}}), obj({"a": S}), True),
    Case("open-remove", obj({"a": S}), obj({"a": S, "b": S}), True),
    Case("open-to-closed", closed({"a": S}), obj({"a": S}), False),
    Case("closed-to-open", obj({"a": S}), closed({"a": S}), True),
    Case(
        "partial-add-covered",
        obj({"a": S, "b": S}, additionalProperties=S),
        obj({"a": S}, additionalProperties=S),
        True,
    ),
    Case("partial-add-narrower", obj({"n": I}, additionalProperties=N), obj({}, additionalProperties=N), False),
    Case("partial-remove-covered", obj({}, additionalProperties=N), obj({"n": I}, additionalProperties=N), True),
    Case("partial-remove-uncovered", obj({}, additionalProperties=N), obj({"s": S}, additionalProperties=N), False),
    Case("additional-narrowed", obj({}, additionalProperties=I), obj({}, additionalProperties=N), False),
    Case("property-type-widened", obj({"a": N}), obj({"a": I}), True),
    Case("property-type-narrowed", obj({"a": I}), obj({"a": N}), False),
    Case("required-added", obj({"a": S}, required=["a"]), obj({"a": S}), False),
    Case("required-removed", obj({"a": S}), obj({"a": S}, required=["a"]), True),
    Case("min-properties-raised", obj({}, minProperties=2), obj({}, minProperties=1), False),
    Case("max-properties-by-closed-model", obj({}, maxProperties=2), closed({"a": S, "b": S}), True),
    Case("max-properties-lowered", obj({}, maxProperties=1), obj({}, maxProperties=2), False),
    Case("dependent-required-added", obj({}, dependentRequired={"a": ["b"]}), obj({}), False),
    Case("dependent-required-removed", obj({}), obj({}, dependentRequired={"a": ["b"]}), True),
    Case(
        "nested-maxlength-shortened",
        obj({"o": obj({"c": {**S, "maxLength": 2}})}),
        obj({"o": obj({"c": {**S, "maxLength": 3}})}),
        False,
    ),
    # arrays
    Case("items-widened", {**A, "items": N}, {**A, "items": I}, True),
    Case("items-narrowed", {**A, "items": I}, {**A, "items": N}, False),
    Case("items-added", {**A, "items": S}, A, False),
    Case("min-items-lowered", {**A, "minItems": 0}, {**A, "minItems": 1}, True),
    Case("min-items-raised", {**A, "minItems": 2}, {**A, "minItems": 1}, False),
    Case("max-items-raised", {**A, "maxItems": 10}, {**A, "maxItems": 5}, True),
    Case("max-items-lowered", {**A, "maxItems": 4}, {**A, "maxItems": 5}, False),
    Case("unique-items-added", {**A, "uniqueItems": True}, A, False),
    Case("unique-items-removed", A, {**A, "uniqueItems": True}, True),
    Case("prefix-items-widened", {**A, "prefixItems": [N]}, {**A, "prefixItems": [I]}, True),
    Case("prefix-items-closed", {**A, "prefixItems": [S], "items": False}, {**A, "prefixItems": [S]}, False),
    # combinators
    Case("anyof-branch-added", {"anyOf": [S, I, NULL]}, {"anyOf": [S, I]}, True),
    Case("anyof-branch-removed", {"anyOf": [S]}, {"anyOf": [S, I]}, False),
    Case("anyof-to-type-list", {"type": ["string", "integer"]}, {"anyOf": [S, I]}, True),
    Case("oneof-disjoint-branch-added", {"oneOf": [S, I, NULL]}, {"oneOf": [S, I]}, True),
    Case("oneof-overlapping-branch-added", {"oneOf": [S, {**S, "maxLength": 5}]}, {"oneOf": [S]}, False),
    Case("oneof-branch-removed", {"oneOf": [S]}, {"oneOf": [S, I]}, False),
    Case("oneof-discriminated-added", {"oneOf": [kind("a"), kind("b")]}, {"oneOf": [kind("a")]}, True),
    Case("allof-member-added", {"allOf": [S, {"maxLength": 3}]}, {"allOf": [S]}, False),
    Case("allof-member-removed", {"allOf": [S]}, {"allOf": [S, {"maxLength": 3}]}, True),
    Case(
        "allof-flattened", obj({}, required=["a", "b"]), {"allOf": [obj({}, required=["a"]), {"required": ["b"]}]}, True
    ),
    Case("not-kept", {"not": NULL}, {"not": NULL}, True),
    Case("not-added-disjoint", {"not": NULL}, S, True),
    Case("not-added-overlapping", {"not": NULL}, {"type": ["string", "null"]}, False),
    Case("not-narrowed", {"not": {**S, "maxLength": 0}}, {"not": S}, True),
    Case("not-changed-equivalent", {"not": {"type": "string", "minLength": 0}}, {"not": S}, True),
    # references
    Case("ref-same", defs({"$ref": "#/$defs/c"}, c=S), defs({"$ref": "#/$defs/c"}, c=S), True),
    Case("ref-target-narrowed", defs({"$ref": "#/$defs/c"}, c=I), defs({"$ref": "#/$defs/c"}, c=N), False),
    Case("ref-target-widened", defs({"$ref": "#/$defs/c"}, c=N), defs({"$ref": "#/$defs/c"}, c=I), True),
    Case("ref-vs-inline", obj({"a": {"$ref": "#/$defs/c"}}) | {"$defs": {"c": S}}, obj({"a": S}), True),
    Case(
        "ref-renamed",
        defs({"$ref": "#/$defs/new"}, new={**S, "maxLength": 9}),
        defs({"$ref": "#/$defs/old"}, old={**S, "maxLength": 5}),
        True,
    ),
    Case(
        "recursive-tree-widened",
        defs({"$ref": "#/$defs/t"}, t=obj({"v": N, "kids": {**A, "items": {"$ref": "#/$defs/t"}}})),
        defs({"$ref": "#/$defs/t"}, t=obj({"v": I, "kids": {**A, "items": {"$ref": "#/$defs/t"}}})),
        True,
    ),
    Case(
        "recursive-tree-narrowed",
        defs({"$ref": "#/$defs/t"}, t=obj({"v": I, "kids": {**A, "items": {"$ref": "#/$defs/t"}}})),
        defs({"$ref": "#/$defs/t"}, t=obj({"v": N, "kids": {**A, "items": {"$ref": "#/$defs/t"}}})),
        False,
    ),
]
