"""Recipient views as data (``message_specs/routing/views.json``) and the projection that cuts a view out
of a routed document, so each agency receives only what it is entitled to."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from singlewindow.platform.errors import ConfigurationError, Problem
from singlewindow.platform.routing.loading import raise_if_problems, read_json, schema_problems, shipped_dir

VIEWS_FILE = "views.json"
# Fields every projection adds, whatever the view: which submission, which version, for whom.
ADDED_FIELDS: tuple[str, ...] = ("submissionId", "submissionVersion", "recipient")
# Fields the hub adds after the projection: the receiving agency's own risk outcome (platform.risk).
HUB_ADDED_FIELDS: tuple[str, ...] = ("risk",)


class GoodsItemsSelection(StrEnum):
    ALL = "all"
    MATCHED = "matched"
    NONE = "none"


class View(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    name: str
    description: str
    source_document_type: str = Field(alias="sourceDocumentType")
    fields: tuple[str, ...]
    goods_items: GoodsItemsSelection = Field(alias="goodsItems")

    def field_names(self) -> tuple[str, ...]:
        """The pointers as dotted names (``transport.seals``), plus goodsItems and the added fields."""
        names = [pointer.lstrip("/").replace("/", ".") for pointer in self.fields]
        if self.goods_items is not GoodsItemsSelection.NONE:
            names.append(f"goodsItems ({self.goods_items.value})")
        return (*ADDED_FIELDS, *names)


class ViewSet(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int
    views: tuple[View, ...]

    def names(self) -> frozenset[str]:
        return frozenset(view.name for view in self.views)

    def get(self, name: str) -> View:
        for view in self.views:
            if view.name == name:
                return view
        raise ConfigurationError(f"unknown view {name!r} (views: {', '.join(sorted(self.names()))})")


def _field_problems(fields: list[str], at: str) -> list[Problem]:
    """A field must not be goodsItems (chosen by ``goodsItems``), an added field, or inside a copied parent."""
    whole = {pointer.lstrip("/") for pointer in fields if pointer.count("/") == 1}
    problems = []
    for position, pointer in enumerate(fields):
        top = pointer.split("/")[1]
        where = f"{at}/fields/{position}"
        if top == "goodsItems":
            problems.append(Problem(where, "goods-items", "goods items are chosen by goodsItems, not by a field"))
        elif top in ADDED_FIELDS:
            problems.append(Problem(where, "added-field", f"{top} is added to every projection, not copied"))
        elif pointer.count("/") == 2 and top in whole:
            problems.append(Problem(where, "overlap", f"{pointer} is already copied whole by /{top}"))
    return problems


def _semantic_problems(data: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, view in enumerate(data["views"]):
        if view["name"] in seen:
            message = f"{view['name']!r} is already used by /views/{seen[view['name']]}"
            problems.append(Problem(f"/views/{index}/name", "duplicate", message))
        seen.setdefault(view["name"], index)
        problems += _field_problems(view["fields"], f"/views/{index}")
    return problems


def parse_views(data: object, source: str = "<views>") -> ViewSet:
    """Validate raw JSON data and build the typed view set; every problem is listed in one error."""
    problems = schema_problems(data, "views.schema.json")
    if not problems:
        assert isinstance(data, dict)
        problems = _semantic_problems(data)
    raise_if_problems(problems, "views", source)
    try:
        return ViewSet.model_validate(data)
    except ValidationError as exc:
        raise ConfigurationError(f"invalid views {source}: {exc}") from exc


def load_views(directory: Path | None = None) -> ViewSet:
    """Read ``views.json`` from ``directory`` (default: the shipped routing data)."""
    path = (directory or shipped_dir()) / VIEWS_FILE
    return parse_views(read_json(path, "views"), str(path))


def _copy(value: Any) -> Any:
    """A copy of a JSON value (objects, arrays, scalars): what ``copy.deepcopy`` gives, at a fraction of its cost."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    if isinstance(value, Mapping | tuple):  # not from JSON, but copied all the same
        return copy.deepcopy(value)
    return value


def project(
    view: View,
    document: Mapping[str, Any],
    matched_items: Iterable[int],
    submission_id: str,
    version: int,
    recipient: str,
) -> dict[str, Any]:
    """The part of ``document`` that ``view`` grants, plus the added fields; the source is not modified.

    A field absent from the source is left out (the view schema says whether that is allowed).
    """
    result: dict[str, Any] = {"submissionId": submission_id, "submissionVersion": version, "recipient": recipient}
    for pointer in view.fields:
        top, _, sub = pointer.lstrip("/").partition("/")
        if top not in document:
            continue
        if not sub:
            result[top] = _copy(document[top])
        elif isinstance(document[top], Mapping) and sub in document[top]:
            result.setdefault(top, {})[sub] = _copy(document[top][sub])
    items = document.get("goodsItems")
    if view.goods_items is not GoodsItemsSelection.NONE and isinstance(items, list):
        wanted = range(len(items)) if view.goods_items is GoodsItemsSelection.ALL else sorted(set(matched_items))
        result["goodsItems"] = [_copy(items[index]) for index in wanted if 0 <= index < len(items)]
    return result
