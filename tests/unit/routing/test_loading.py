"""Bad routing data gets one clear error naming every problem by JSON pointer."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from singlewindow.platform.errors import ConfigurationError
from singlewindow.platform.routing import load_rules, load_tables, load_views, parse_rules, parse_views
from singlewindow.platform.routing.loading import shipped_dir


def _rules(**changes: Any) -> dict[str, Any]:
    rule = {"id": "r", "description": "d", "recipients": ["customs"], "when": {"documentTypes": ["consignment"]}}
    rule.update(changes)
    return {"version": 1, "rules": [rule]}


def test_shipped_rules_and_views_load() -> None:
    assert len(load_rules().rules) >= 10
    assert {v.name for v in load_views().views} == {
        "view-customs",
        "view-border-guard",
        "view-veterinary",
        "view-phytosanitary",
        "view-sanitary",
    }


@pytest.mark.parametrize(
    ("data", "pointer", "code"),
    [
        (_rules(when={"hsPrefixes": ["080"]}), "/rules/0/when/hsPrefixes/0", "pattern"),
        (_rules(when={"hsPrefixes": ["08081012"]}), "/rules/0/when/hsPrefixes/0", "pattern"),
        (_rules(when={}), "/rules/0/when", "minProperties"),
        (_rules(when={"hsPrefixes": []}), "/rules/0/when/hsPrefixes", "minItems"),
        (_rules(recipients=[]), "/rules/0/recipients", "minItems"),
        (_rules(when={"direction": ["inbound"]}), "/rules/0/when/direction/0", "enum"),
        (_rules(when={"destinationCountries": ["kz"]}), "/rules/0/when/destinationCountries/0", "pattern"),
        (_rules(when={"hsCodes": ["08"]}), "/rules/0/when", "additionalProperties"),
        (_rules(when={"flags": ["perishable"]}), "/rules/0/when/flags/0", "flag"),
        ({"version": 1, "rules": []}, "/rules", "minItems"),
        ({"version": 1, "rules": [_rules()["rules"][0]] * 2}, "/rules/1/id", "duplicate"),
    ],
)
def test_bad_rules_are_reported_by_pointer(data: dict[str, Any], pointer: str, code: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        parse_rules(data, "test.json")
    assert f"  {pointer}: " in caught.value.message and f"[{code}]" in caught.value.message
    assert "invalid routing rules test.json" in caught.value.message


def test_every_problem_is_listed_at_once() -> None:
    data = _rules(id="Bad Id", recipients=[])
    with pytest.raises(ConfigurationError) as caught:
        parse_rules(data)
    assert "/rules/0/id" in caught.value.message and "/rules/0/recipients" in caught.value.message


@pytest.mark.parametrize(
    ("change", "pointer", "code"),
    [
        ({"goodsItems": "some"}, "/views/0/goodsItems", "enum"),
        ({"fields": ["/transport/route/borderCrossings"]}, "/views/0/fields/0", "pattern"),
        ({"fields": ["/goodsItems"]}, "/views/0/fields/0", "goods-items"),
        ({"fields": ["/transport", "/transport/seals"]}, "/views/0/fields/1", "overlap"),
        ({"name": "customs"}, "/views/0/name", "pattern"),
        ({"fields": ["/recipient"]}, "/views/0/fields/0", "added-field"),
    ],
)
def test_bad_views_are_reported_by_pointer(change: dict[str, Any], pointer: str, code: str) -> None:
    view = {
        "name": "view-x",
        "description": "d",
        "sourceDocumentType": "consignment",
        "fields": ["/ucr"],
        "goodsItems": "all",
    }
    view.update(change)
    with pytest.raises(ConfigurationError) as caught:
        parse_views({"version": 1, "views": [view]})
    assert f"  {pointer}: " in caught.value.message and f"[{code}]" in caught.value.message


@pytest.fixture
def routing_dir(tmp_path: Path) -> Path:
    for name in ("rules.json", "views.json", "recipients.json"):
        shutil.copy(shipped_dir() / name, tmp_path / name)
    return tmp_path


def _edit(path: Path, edit: Any) -> None:
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))


def test_unknown_recipient_in_a_rule(routing_dir: Path) -> None:
    _edit(routing_dir / "rules.json", lambda d: d["rules"][2]["recipients"].append("fisheries"))
    with pytest.raises(ConfigurationError, match=r"rules\.json#/rules/2/recipients/1: .*unknown recipient 'fisheries'"):
        load_tables(routing_dir)


def test_recipient_with_unknown_view(routing_dir: Path) -> None:
    _edit(routing_dir / "views.json", lambda d: d["views"].pop(1))
    with pytest.raises(ConfigurationError, match=r"recipients\.json#/recipients/1/view: .*'view-border-guard'"):
        load_tables(routing_dir)


def test_missing_and_broken_files(routing_dir: Path) -> None:
    (routing_dir / "rules.json").write_text("{not json")
    with pytest.raises(ConfigurationError, match="is not JSON: line 1"):
        load_tables(routing_dir)
    (routing_dir / "rules.json").unlink()
    with pytest.raises(ConfigurationError, match="routing rules not found"):
        load_tables(routing_dir)


def test_duplicate_view_names() -> None:
    view = {"name": "view-x", "description": "d", "sourceDocumentType": "consignment", "fields": ["/ucr"]}
    with pytest.raises(ConfigurationError, match=r"/views/1/name: 'view-x' is already used by /views/0"):
        parse_views({"version": 1, "views": [{**view, "goodsItems": "all"}, {**view, "goodsItems": "none"}]})
