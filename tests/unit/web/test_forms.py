"""The schema-generated form: every shipped example survives the round trip form -> posted fields -> document
exactly, so a document edited in the portal is the document the trader sees; blanks are dropped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from singlewindow.platform.settings import HubSettings
from singlewindow.platform.specs import Catalog
from singlewindow.platform.web.forms.nodes import Node, build, problem_links
from singlewindow.platform.web.forms.spec import field_spec, label_of
from singlewindow.platform.web.forms.values import add_item, document_of, read_form, remove_item

CATALOG = Catalog()
SUBMITTABLE = HubSettings().submittable_types
EXAMPLES = [(name, path) for name in SUBMITTABLE for path in CATALOG.get(name).valid_examples]


def spec_of(name: str) -> Any:
    schema = CATALOG.get(name).json_schema
    return field_spec(schema, schema)


def posted(node: Node) -> dict[str, str]:
    """What a browser posts for the rendered form: every input's text; a checkbox only when ticked."""
    if node.children:
        fields: dict[str, str] = {}
        for child in node.children:
            fields |= posted(child)
        return fields
    if node.spec.kind in ("object", "array"):
        return {}
    if node.spec.kind == "boolean" and node.spec.required:
        return {node.pointer: "true"} if node.value is True else {}
    return {node.pointer: node.text}


@pytest.mark.parametrize(("name", "path"), EXAMPLES, ids=[f"{n}/{p.stem}" for n, p in EXAMPLES])
def test_every_example_survives_the_form(name: str, path: Path) -> None:
    spec = spec_of(name)
    document = json.loads(path.read_text(encoding="utf-8"))
    fields = posted(build(spec, document, "", {}))
    assert document_of(spec, read_form(spec, fields)) == document


def test_blanks_are_dropped_and_numbers_read() -> None:
    spec = spec_of("consignment")
    fields = {"/ucr": "ABC", "/totals/goodsItemCount": "2", "/totals/packageCount": "x1", "/consignor/name": ""}
    document = document_of(spec, read_form(spec, fields))
    assert document["ucr"] == "ABC" and "consignor" not in document
    assert document["totals"] == {"goodsItemCount": 2, "packageCount": "x1"}  # the validator names "x1"
    assert document["flags"] == {
        "transit": False,
        "liveAnimals": False,
        "dangerousGoods": False,
        "requiresColdChain": False,
    }


def test_items_are_added_and_removed_by_pointer() -> None:
    spec = spec_of("consignment")
    draft: dict[str, Any] = {"goodsItems": [{"description": "first"}], "transport": {}}
    add_item(spec, draft, "/goodsItems")
    add_item(spec, draft, "/transport/seals")
    assert len(draft["goodsItems"]) == 2 and len(draft["transport"]["seals"]) == 1
    remove_item(draft, "/goodsItems/0")
    assert draft["goodsItems"][0]["description"] == ""  # the blank added one is left


def test_problems_sit_next_to_their_fields_and_link_from_the_summary() -> None:
    spec = spec_of("consignment")
    problems = {"/goodsItems/0/commodityCode/hsCode": ["'08081' does not match '^[0-9]{6}$'"]}
    root = build(spec, {"goodsItems": [{"commodityCode": {"hsCode": "08081"}}]}, "", problems)
    goods = next(c for c in root.children if c.spec.name == "goodsItems")
    code = next(c for c in goods.children[0].children if c.spec.name == "commodityCode").children[0]
    assert (code.id, code.problems) == ("f-goodsItems-0-commodityCode-hsCode", problems[code.pointer])
    links = problem_links(root, [("/goodsItems/0/zzz", "Additional properties are not allowed")])
    assert [(link.pointer, link.target) for link in links] == [("/goodsItems/0/zzz", "f-goodsItems-0")]


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("customsOfficeOfEntry", "Customs office of entry"),
        ("hsCode", "HS code"),
        ("ucr", "UCR"),
        ("sha256", "SHA-256"),
        ("grossMassKg", "Gross mass kg"),
    ],
)
def test_labels_from_property_names(name: str, label: str) -> None:
    assert label_of(name) == label
