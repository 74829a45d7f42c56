"""Rules for object keywords: content models, required, property counts, dependentRequired."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Found = Callable[[Any, Any], set[tuple[str, str]]]

NAME = {"type": "string"}


def obj(props: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props, **extra}


def test_optional_property_added_to_closed_model_is_compatible(found: Found) -> None:
    old = obj({"a": NAME}, additionalProperties=False)
    new = obj({"a": NAME, "b": NAME}, additionalProperties=False)
    assert found(new, old) == set()


def test_property_removed_from_closed_model(found: Found) -> None:
    old = obj({"a": NAME, "b": NAME}, additionalProperties=False)
    new = obj({"a": NAME}, additionalProperties=False)
    assert found(new, old) == {("/properties/b", "property-removed-closed-model")}


def test_property_added_to_open_model(found: Found) -> None:
    assert found(obj({"a": NAME, "b": NAME}), obj({"a": NAME})) == {("/properties/b", "property-added-open-model")}


def test_property_with_empty_schema_added_to_open_model(found: Found) -> None:
    assert found(obj({"a": NAME, "b": {}}), obj({"a": NAME})) == set()


def test_property_removed_from_open_model(found: Found) -> None:
    assert found(obj({"a": NAME}), obj({"a": NAME, "b": NAME})) == set()


def test_property_added_under_partially_open_model(found: Found) -> None:
    old = obj({"a": NAME}, additionalProperties={"type": "string"})
    assert found(obj({"a": NAME, "b": {"type": "string", "maxLength": 9}}, additionalProperties=NAME), old) == {
        ("/properties/b", "property-added-not-covered")
    }
    assert found(obj({"a": NAME, "b": {"type": ["string", "null"]}}, additionalProperties=NAME), old) == set()


def test_property_narrower_than_writer_additional_properties(found: Found) -> None:
    old = obj({}, additionalProperties={"type": "number"})
    assert found(obj({"n": {"type": "integer"}}, additionalProperties={"type": "number"}), old) == {
        ("/properties/n", "property-added-not-covered")
    }


def test_property_removed_under_partially_open_model(found: Found) -> None:
    old = obj({"a": NAME, "n": {"type": "integer"}}, additionalProperties={"type": "number"})
    assert found(obj({"a": NAME}, additionalProperties={"type": "number"}), old) == set()
    old_text = obj({"a": NAME, "t": NAME}, additionalProperties={"type": "number"})
    assert found(obj({"a": NAME}, additionalProperties={"type": "number"}), old_text) == {
        ("/properties/t", "property-removed-not-covered")
    }


def test_property_changed_reports_nested_pointer(found: Found) -> None:
    assert found(obj({"a": {"type": "string", "maxLength": 3}}), obj({"a": {"type": "string", "maxLength": 9}})) == {
        ("/properties/a/maxLength", "max-length-decreased")
    }


def test_property_with_false_schema_removed_from_closed_model(found: Found) -> None:
    old = obj({"a": NAME, "gone": False}, additionalProperties=False)
    assert found(obj({"a": NAME}, additionalProperties=False), old) == set()


def test_closing_an_open_model(found: Found) -> None:
    assert found(obj({"a": NAME}, additionalProperties=False), obj({"a": NAME})) == {
        ("/additionalProperties", "additional-properties-closed")
    }
    assert found(obj({"a": NAME}), obj({"a": NAME}, additionalProperties=False)) == set()


def test_additional_properties_schema_narrowed_and_widened(found: Found) -> None:
    assert found(obj({}, additionalProperties=NAME), obj({})) == {
        ("/additionalProperties", "additional-properties-narrowed")
    }
    assert found(obj({}, additionalProperties={"type": "integer"}), obj({}, additionalProperties=NAME)) == {
        ("/additionalProperties/type", "type-changed")
    }
    assert (
        found(obj({}, additionalProperties={"type": "number"}), obj({}, additionalProperties={"type": "integer"}))
        == set()
    )


def test_pattern_properties(found: Found) -> None:
    old = obj({}, patternProperties={"^x-": NAME}, additionalProperties=False)
    assert (
        found(obj({}, patternProperties={"^x-": {"type": ["string", "null"]}}, additionalProperties=False), old)
        == set()
    )
    assert found(obj({}, patternProperties={"^x-": {"type": "integer"}}, additionalProperties=False), old) == {
        ("/patternProperties/^x-/type", "type-changed")
    }
    assert found(obj({}, additionalProperties=False), old) == {
        ("/additionalProperties", "additional-properties-closed")
    }


def test_pattern_properties_added_to_open_reader(found: Found) -> None:
    assert found(obj({}, patternProperties={"^x-": NAME}), obj({})) == {
        ("/patternProperties/^x-", "pattern-properties-not-covered")
    }


def test_named_property_matching_a_pattern(found: Found) -> None:
    old = obj({}, patternProperties={"^x-": NAME}, additionalProperties=False)
    new = obj({"x-id": NAME}, patternProperties={"^x-": NAME}, additionalProperties=False)
    assert found(new, old) == set()


def test_required_added_and_removed(found: Found) -> None:
    assert found(obj({"a": NAME}, required=["a"]), obj({"a": NAME})) == {("/required", "required-added")}
    assert found(obj({"a": NAME}), obj({"a": NAME}, required=["a"])) == set()


def test_required_ignored_for_non_objects(found: Found) -> None:
    assert found({"required": ["a"]}, {"type": "string"}) == set()


def test_min_properties(found: Found) -> None:
    assert found(obj({}, minProperties=2), obj({}, minProperties=1)) == {("/minProperties", "min-properties-increased")}
    assert found(obj({}, minProperties=2), obj({}, minProperties=3)) == set()
    assert found(obj({}, minProperties=1), obj({"a": NAME}, required=["a"])) == set()
    assert found(obj({}, minProperties=1), obj({})) == {("/minProperties", "min-properties-added")}


def test_max_properties(found: Found) -> None:
    assert found(obj({}, maxProperties=2), obj({}, maxProperties=3)) == {("/maxProperties", "max-properties-decreased")}
    assert found(obj({}, maxProperties=3), obj({}, maxProperties=2)) == set()
    assert found(obj({}, maxProperties=2), obj({})) == {("/maxProperties", "max-properties-added")}
    assert found(obj({}, maxProperties=2), obj({"a": NAME, "b": NAME}, additionalProperties=False)) == set()


def test_dependent_required(found: Found) -> None:
    old = obj({"card": NAME, "cvv": NAME}, dependentRequired={"card": ["cvv"]})
    new = obj({"card": NAME, "cvv": NAME, "exp": NAME}, dependentRequired={"card": ["cvv", "exp"]})
    assert found(new, old) == {
        ("/dependentRequired/card", "dependent-required-added"),
        ("/properties/exp", "property-added-open-model"),
    }
    assert found(old, new) == set()
    assert (
        found(
            obj({"card": NAME, "cvv": NAME}, dependentRequired={"card": ["cvv"]}),
            obj({"card": NAME, "cvv": NAME}, required=["cvv"]),
        )
        == set()
    )


def test_object_rules_skip_when_writer_has_no_objects(found: Found) -> None:
    assert found({"properties": {"a": {"type": "integer"}}, "additionalProperties": False}, {"type": "string"}) == set()
