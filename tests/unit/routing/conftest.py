"""Fixtures for routing tests: the shipped tables, a consignment builder, and tables with custom rules."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from singlewindow.platform.routing import RoutingTables, load_tables, parse_rules

FIXTURES = Path(__file__).parent / "fixtures"
Builder = Callable[..., dict[str, Any]]


def apples() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "apples-cn-kz.json").read_text())
    return data


def _item(base: dict[str, Any], sequence: int, hs_code: str, description: str, **extra: Any) -> dict[str, Any]:
    item = copy.deepcopy(base)
    item.update(sequenceNumber=sequence, description=description, **extra)
    item["commodityCode"] = {"hsCode": hs_code}
    item.pop("scientificName", None)
    return item


@pytest.fixture
def consignment() -> Builder:
    """``consignment(("020230", "Frozen boneless beef"), ..., flags={...}, **top_level_overrides)``: the
    apples document with other goods items; each item tuple may carry a dict of item fields."""

    def build(*items: tuple[Any, ...], flags: dict[str, bool] | None = None, **overrides: Any) -> dict[str, Any]:
        document = apples()
        base = document["goodsItems"][0]
        if items:
            document["goodsItems"] = [
                _item(base, index + 1, spec[0], spec[1], **(spec[2] if len(spec) > 2 else {}))
                for index, spec in enumerate(items)
            ]
        document["flags"].update(flags or {})
        document["totals"]["goodsItemCount"] = len(document["goodsItems"])
        document.update(overrides)
        return document

    return build


@pytest.fixture(scope="session")
def tables() -> RoutingTables:
    return load_tables()


@pytest.fixture
def tables_with(tables: RoutingTables) -> Callable[..., RoutingTables]:
    """The shipped views and catalogue with only the given rules."""

    def build(*rules: dict[str, Any]) -> RoutingTables:
        return RoutingTables(parse_rules({"version": 7, "rules": list(rules)}), tables.views, tables.catalogue, "test")

    return build
