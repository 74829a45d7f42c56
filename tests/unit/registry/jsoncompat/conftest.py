"""Shared helper for the JSON Schema compatibility tests: findings as (pointer, rule) pairs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from singlewindow.registry.jsoncompat import check

Found = Callable[[Any, Any], set[tuple[str, str]]]


@pytest.fixture
def found() -> Found:
    """``found(reader, writer)``: the (pointer, rule) pairs ``check`` reports."""

    def run(reader: Any, writer: Any) -> set[tuple[str, str]]:
        return {(item.pointer, item.rule) for item in check(reader, writer)}

    return run
