"""Rules for string and number keywords."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Found = Callable[[Any, Any], set[tuple[str, str]]]

S = {"type": "string"}
N = {"type": "number"}
I = {"type": "integer"}  # noqa: E741


def test_max_length_lengthened_and_shortened(found: Found) -> None:
    assert found({**S, "maxLength": 20}, {**S, "maxLength": 10}) == set()
    assert found({**S, "maxLength": 5}, {**S, "maxLength": 10}) == {("/maxLength", "max-length-decreased")}


def test_max_length_added_and_removed(found: Found) -> None:
    assert found({**S, "maxLength": 5}, S) == {("/maxLength", "max-length-added")}
    assert found(S, {**S, "maxLength": 5}) == set()


def test_min_length(found: Found) -> None:
    assert found({**S, "minLength": 1}, {**S, "minLength": 2}) == set()
    assert found({**S, "minLength": 3}, {**S, "minLength": 2}) == {("/minLength", "min-length-increased")}
    assert found({**S, "minLength": 1}, S) == {("/minLength", "min-length-added")}


def test_length_keywords_ignore_non_strings(found: Found) -> None:
    assert found({"maxLength": 1}, I) == set()


def test_pattern_identical_changed_added_removed(found: Found) -> None:
    assert found({**S, "pattern": "^[A-Z]{2}$"}, {**S, "pattern": "^[A-Z]{2}$"}) == set()
    assert found({**S, "pattern": "^[A-Z]{3}$"}, {**S, "pattern": "^[A-Z]{2}$"}) == {("/pattern", "pattern-changed")}
    assert found({**S, "pattern": "^[A-Z]+$"}, S) == {("/pattern", "pattern-added")}
    assert found(S, {**S, "pattern": "^[A-Z]+$"}) == set()


def test_format(found: Found) -> None:
    assert found({**S, "format": "date"}, S) == {("/format", "format-added")}
    assert found({**S, "format": "date"}, {**S, "format": "date-time"}) == {("/format", "format-changed")}
    assert found(S, {**S, "format": "date"}) == set()


def test_minimum_lowered_and_raised(found: Found) -> None:
    assert found({**N, "minimum": 0}, {**N, "minimum": 1}) == set()
    assert found({**N, "minimum": 2}, {**N, "minimum": 1}) == {("/minimum", "minimum-increased")}
    assert found({**N, "minimum": 0}, N) == {("/minimum", "minimum-added")}


def test_maximum_raised_and_lowered(found: Found) -> None:
    assert found({**N, "maximum": 10}, {**N, "maximum": 5}) == set()
    assert found({**N, "maximum": 4}, {**N, "maximum": 5}) == {("/maximum", "maximum-decreased")}
    assert found({**N, "maximum": 4}, N) == {("/maximum", "maximum-added")}


def test_exclusive_minimum(found: Found) -> None:
    assert found({**N, "exclusiveMinimum": 0}, {**N, "minimum": 0}) == {
        ("/exclusiveMinimum", "exclusive-minimum-increased")
    }
    assert found({**N, "minimum": 0}, {**N, "exclusiveMinimum": 0}) == set()
    assert found({**N, "exclusiveMinimum": 0}, {**N, "exclusiveMinimum": 0}) == set()
    assert found({**N, "exclusiveMinimum": 0}, N) == {("/exclusiveMinimum", "exclusive-minimum-added")}


def test_exclusive_maximum(found: Found) -> None:
    assert found({**N, "exclusiveMaximum": 10}, {**N, "maximum": 10}) == {
        ("/exclusiveMaximum", "exclusive-maximum-decreased")
    }
    assert found({**N, "exclusiveMaximum": 10}, {**N, "maximum": 9.5}) == set()
    assert found({**N, "exclusiveMaximum": 10}, N) == {("/exclusiveMaximum", "exclusive-maximum-added")}


def test_integer_writer_bounds_are_integral(found: Found) -> None:
    assert found({**I, "minimum": 1}, {**I, "exclusiveMinimum": 0}) == set()
    assert found({**N, "exclusiveMaximum": 10}, {**I, "maximum": 9}) == set()


def test_bounds_ignore_non_numbers(found: Found) -> None:
    assert found({"minimum": 5}, S) == set()


def test_multiple_of(found: Found) -> None:
    assert found({**N, "multipleOf": 0.5}, {**N, "multipleOf": 1.5}) == set()
    assert found({**N, "multipleOf": 0.01}, {**N, "multipleOf": 0.05}) == set()
    assert found({**N, "multipleOf": 2}, {**N, "multipleOf": 3}) == {("/multipleOf", "multiple-of-changed")}
    assert found({**N, "multipleOf": 2}, N) == {("/multipleOf", "multiple-of-added")}
    assert found(N, {**N, "multipleOf": 2}) == set()


def test_integers_are_multiples_of_unit_fractions(found: Found) -> None:
    assert found({**N, "multipleOf": 0.5}, I) == set()
    assert found({**N, "multipleOf": 2}, I) == {("/multipleOf", "multiple-of-added")}
