"""The hub's text rule and number parsing (singlewindow.platform.inputs), as docs/specs-conventions.md states them."""

from __future__ import annotations

import pytest

from singlewindow.platform.errors import InvalidInput
from singlewindow.platform.inputs import forbidden_character, json_problems, parse_count, parse_json


@pytest.mark.parametrize(
    "text",
    ["", "Almaty Fruit LLP", "tab\there", "two\r\nlines", "Алматы", "霍尔果斯", "café ü ß", "🍎 U+1F34E", "\u00a0nbsp"],
)
def test_text_the_rule_admits(text: str) -> None:
    assert forbidden_character(text) is None


@pytest.mark.parametrize(
    ("text", "code_point"),
    [
        ("a\x00", "U+0000"),
        ("\x1b[31m", "U+001B"),
        ("\x7f", "U+007F"),
        ("\x85", "U+0085"),
        ("\ud800", "U+D800"),
        ("\udfff", "U+DFFF"),
        ("\ufdd0", "U+FDD0"),
        ("\ufffe", "U+FFFE"),
        ("\U0010ffff", "U+10FFFF"),
    ],
)
def test_text_the_rule_refuses(text: str, code_point: str) -> None:
    assert forbidden_character(text) == code_point


def test_problems_point_at_the_string_and_at_keys() -> None:
    value = {"consignor": {"name": "A\x00"}, "goodsItems": [{"x/y\x01": 1}]}
    assert [(p.path, p.code) for p in json_problems(value)] == [
        ("/consignor/name", "invalid-character"),
        ("/goodsItems/0/x~1y\ufffd", "invalid-character"),
    ]


def test_integers_beyond_int64_and_non_finite_numbers_are_problems() -> None:
    assert [p.code for p in json_problems({"a": 2**63, "b": -(2**63) - 1, "c": float("nan"), "d": 2**63 - 1})] == [
        "range",
        "range",
        "range",
    ]


def test_depth_is_capped_without_recursion() -> None:
    value: list[object] = []
    for _ in range(5000):
        value = [value]
    assert [p.code for p in json_problems(value)] == ["maxDepth"]


@pytest.mark.parametrize("raw", ["\u00b2", "١٢", "+1", " 1", "1.0", "0x10", "1_000", "9" * 20])
def test_counts_are_ascii_digits_within_int64(raw: str) -> None:
    with pytest.raises(InvalidInput):
        parse_count(raw, "/limit")


def test_counts_within_bounds() -> None:
    assert parse_count("0", "/x") == 0 and parse_count(str(2**63 - 1), "/x") == 2**63 - 1
    assert parse_count(None, "/x") is None and parse_count("", "/x") is None
    with pytest.raises(InvalidInput):
        parse_count("0", "/limit", minimum=1)


def test_parse_json_keeps_ordinary_json() -> None:
    assert parse_json('{"a": [1, 2.5, "x", null, true], "b": -9223372036854775808}') == {
        "a": [1, 2.5, "x", None, True],
        "b": -(2**63),
    }
