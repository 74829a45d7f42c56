"""Issue 12: a missing required property is reported at its own pointer (``/importer``, not ``""``), for every
catalogued document type, at the root and at any depth."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest

from singlewindow.platform.specs import Catalog, DocumentValidator

CATALOG = Catalog()
VALIDATOR = DocumentValidator(CATALOG)
TYPES = CATALOG.names()


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _members(value: Any, at: str = "") -> Iterator[tuple[str, list[str | int], str]]:
    """(pointer of an object, path to it, member name) for every member of every object in ``value``."""

    def walk(node: Any, path: list[str | int], at: str) -> Iterator[tuple[str, list[str | int], str]]:
        if isinstance(node, dict):
            for key, child in node.items():
                yield at, path, key
                yield from walk(child, [*path, key], f"{at}/{_escape(key)}")
        elif isinstance(node, list):
            for index, child in enumerate(node):
                yield from walk(child, [*path, index], f"{at}/{index}")

    return walk(value, [], at)


def _without(document: Any, path: list[str | int], key: str) -> Any:
    changed = copy.deepcopy(document)
    node = changed
    for part in path:
        node = node[part]
    del node[key]
    return changed


def _example(doc_type: str) -> Any:
    return json.loads(sorted(CATALOG.get(doc_type).valid_examples)[0].read_text())


@pytest.mark.parametrize("doc_type", TYPES)
def test_each_missing_root_property_is_reported_at_its_pointer(doc_type: str) -> None:
    document = _example(doc_type)
    required = CATALOG.get(doc_type).json_schema["required"]
    assert required, doc_type
    for name in required:
        found = {(p.path, p.code) for p in VALIDATOR.validate(doc_type, _without(document, [], name))}
        assert (f"/{_escape(name)}", "required") in found, (doc_type, name, found)
        assert ("", "required") not in found, (doc_type, name, found)


@pytest.mark.parametrize("doc_type", TYPES)
def test_a_missing_member_at_any_depth_is_reported_at_that_member(doc_type: str) -> None:
    """Remove each member of the example in turn: every ``required`` problem names a member that is absent,
    and removing a member the schema requires reports exactly that member's pointer."""
    document = _example(doc_type)
    reported_own = 0
    for at, path, key in _members(document):
        removed = f"{at}/{_escape(key)}"
        changed = _without(document, path, key)
        problems = [p for p in VALIDATOR.validate(doc_type, changed) if p.code == "required"]
        for problem in problems:
            parent, _, name = problem.path.rpartition("/")
            assert _absent(changed, parent, _unescape(name)), (doc_type, removed, problem)
        reported_own += any(problem.path == removed for problem in problems)
    assert reported_own > 0, doc_type


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _absent(document: Any, parent: str, name: str) -> bool:
    """True when ``parent`` is an object of ``document`` without member ``name``."""
    node = document
    for token in parent.split("/")[1:]:
        node = node[int(token)] if isinstance(node, list) else node[_unescape(token)]
    return isinstance(node, dict) and name not in node
