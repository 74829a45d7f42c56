"""Invalid-example files are checked for their own shape; round-trip differences are located by pointer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from singlewindow.platform.specs import apply_invalid_example
from singlewindow.platform.specs.examples import ExampleProblem, first_difference

VALID = {"ucr": "KZ1", "goodsItems": [{"netMassKg": "10.000"}]}


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    (tmp_path / "valid").mkdir()
    (tmp_path / "invalid").mkdir()
    (tmp_path / "valid" / "01-base.json").write_text(json.dumps(VALID))
    return tmp_path


def write(examples: Path, content: Any) -> Path:
    path = examples / "invalid" / "01-case.json"
    path.write_text(json.dumps(content))
    return path


def spec(**changes: Any) -> dict[str, Any]:
    base = {
        "description": "net mass with two decimals",
        "base": "valid/01-base.json",
        "patch": [{"op": "replace", "path": "/goodsItems/0/netMassKg", "value": "10.00"}],
        "expect": {"path": "/goodsItems/0/netMassKg", "code": "pattern"},
    }
    return base | changes


def test_the_patch_is_applied_to_the_base(examples: Path) -> None:
    loaded, document = apply_invalid_example(write(examples, spec()), examples)
    assert document == {"ucr": "KZ1", "goodsItems": [{"netMassKg": "10.00"}]}
    assert loaded["expect"]["code"] == "pattern"


@pytest.mark.parametrize(
    ("changes", "pointer"),
    [
        ({"description": None}, "/description"),
        ({"base": "../valid/01-base.json"}, "/base"),
        ({"base": "invalid/01-case.json"}, "/base"),
        ({"base": "valid/09-missing.json"}, "/base"),
        ({"patch": []}, "/patch"),
        ({"patch": [{"op": "remove", "path": "/nowhere"}]}, "/patch"),
        ({"expect": {"path": "goodsItems", "code": "pattern"}}, "/expect/path"),
        ({"expect": {"path": "/ucr"}}, "/expect/code"),
    ],
)
def test_malformed_example_files_are_named_by_pointer(examples: Path, changes: dict[str, Any], pointer: str) -> None:
    with pytest.raises(ExampleProblem) as caught:
        apply_invalid_example(write(examples, spec(**changes)), examples)
    assert caught.value.pointer == pointer


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ({"a": "7.50"}, {"a": "7.5"}, ("/a", "'7.50' became '7.5'")),
        ({"a": 1, "b": 2}, {"a": 1}, ("/b", "property lost")),
        ({"a": 1}, {"a": 1, "c": None}, ("/c", "property added")),
        ({"l": [{"x": 1}, {"x": 2}]}, {"l": [{"x": 1}, {"x": 3}]}, ("/l/1/x", "2 became 3")),
        ({"l": [1]}, {"l": [1, 2]}, ("/l", "[1] became [1, 2]")),
    ],
)
def test_first_difference_points_at_the_changed_value(before: Any, after: Any, expected: tuple[str, str]) -> None:
    assert first_difference(before, after) == expected
