"""JSON Schema compatibility goes through one seam; without the checker a change is refused, never accepted."""

from __future__ import annotations

import importlib

import pytest

from singlewindow.registry import compatibility
from singlewindow.registry.formats import parse_schema
from singlewindow.registry.models import CompatibilityLevel, SchemaType

OLD = parse_schema(SchemaType.JSON, '{"type": "object", "properties": {"a": {"type": "string"}}}')
NEW = parse_schema(SchemaType.JSON, '{"type": "object", "properties": {"a": {"type": "string", "maxLength": 3}}}')


def test_unchanged_json_schema_is_compatible_at_every_level() -> None:
    for level in CompatibilityLevel:
        assert compatibility.check_compatibility(level, OLD, [(1, OLD)]) == []


def test_changed_json_schema_without_checker_is_refused_explicitly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compatibility, "_json_checker", lambda: None)
    for level in CompatibilityLevel:
        found = compatibility.check_compatibility(level, NEW, [(1, OLD)])
        if level is CompatibilityLevel.NONE:
            assert found == []
        else:
            assert found
            assert all(compatibility.JSON_UNAVAILABLE in reason for reason in found)


def test_checker_is_used_when_present(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[object, object]] = []

    def fake_check(reader: object, writer: object, *, budget: object = None) -> list[str]:
        calls.append((reader, writer))
        return ["/properties/a: maxLength added"]

    monkeypatch.setattr(compatibility, "_json_checker", lambda: fake_check)
    found = compatibility.check_compatibility(CompatibilityLevel.BACKWARD, NEW, [(1, OLD)])
    assert calls == [(NEW.parsed, OLD.parsed)]  # BACKWARD: the new schema reads what the old one wrote
    assert found == ["the new schema cannot read data written with version 1: /properties/a: maxLength added"]


def test_checker_lookup_matches_module_presence() -> None:
    try:
        module = importlib.import_module("singlewindow.registry.jsoncompat")
    except ModuleNotFoundError:
        assert compatibility._json_checker() is None
    else:
        assert compatibility._json_checker() is module.check
