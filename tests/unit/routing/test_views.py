"""Each recipient's projection holds exactly the fields of its view and is valid under the view schema."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from singlewindow.platform.routing import RoutingTables, decide, load_tables, project
from singlewindow.platform.specs import Catalog, DocumentValidator

FIXTURES = Path(__file__).parent / "fixtures"
Builder = Callable[..., dict[str, Any]]
CATALOG = Catalog()


@pytest.fixture(scope="module")
def validator() -> DocumentValidator:
    """The specs' own validator: JSON Schema plus the shipped code lists."""
    return DocumentValidator(CATALOG)


def _documents() -> list[tuple[str, dict[str, Any]]]:
    """Every shipped valid consignment example, plus a mixed consignment built from our fixture."""
    documents = [(path.name, json.loads(path.read_text())) for path in CATALOG.get("consignment").valid_examples]
    mixed = json.loads((FIXTURES / "apples-cn-kz.json").read_text())
    beef = copy.deepcopy(mixed["goodsItems"][0])
    beef.update(sequenceNumber=2, description="Frozen boneless beef", commodityCode={"hsCode": "020230"})
    laptops = copy.deepcopy(beef)
    laptops.update(sequenceNumber=3, description="Laptops", commodityCode={"hsCode": "847130"}, requiresColdChain=False)
    mixed["goodsItems"] += [beef, laptops]
    return [
        *documents,
        ("fixture-apples", json.loads((FIXTURES / "apples-cn-kz.json").read_text())),
        ("fixture-mixed", mixed),
    ]


def _cases() -> list[Any]:
    tables = load_tables()
    cases = []
    for name, document in _documents():
        for route in decide(tables, "consignment", document).recipients:
            cases.append(pytest.param(document, route.recipient, id=f"{name}-{route.recipient}"))
    return cases


def _expected_shape(tables: RoutingTables, recipient: str, document: dict[str, Any]) -> dict[str, set[str] | None]:
    """top-level name -> sub-field names (None: copied whole), for the fields the source has."""
    view = tables.views.get(tables.catalogue.get(recipient).view)
    shape: dict[str, set[str] | None] = dict.fromkeys(("submissionId", "submissionVersion", "recipient"))
    for pointer in view.fields:
        top, _, sub = pointer.lstrip("/").partition("/")
        if top in document and (not sub or sub in document[top]):
            if sub:
                existing = shape.setdefault(top, set())
                assert existing is not None
                existing.add(sub)
            else:
                shape[top] = None
    if view.goods_items.value != "none":
        shape["goodsItems"] = None
    return shape


@pytest.mark.parametrize(("document", "recipient"), _cases())
def test_projection_has_exactly_the_view_fields_and_is_valid(
    tables: RoutingTables, validator: DocumentValidator, document: dict[str, Any], recipient: str
) -> None:
    original = copy.deepcopy(document)
    route = decide(tables, "consignment", document).get(recipient)
    assert route is not None
    view = tables.views.get(route.view)
    projected = project(view, document, route.items, "sub-000042", 3, recipient)

    shape = _expected_shape(tables, recipient, document)
    assert set(projected) == set(shape)
    for top, subs in shape.items():
        if subs is not None:
            assert set(projected[top]) == subs
        elif top not in ("submissionId", "submissionVersion", "recipient", "goodsItems"):
            assert projected[top] == document[top]
    assert (projected["submissionId"], projected["submissionVersion"], projected["recipient"]) == (
        "sub-000042",
        3,
        recipient,
    )
    if "goodsItems" in projected:
        wanted = range(len(document["goodsItems"])) if view.goods_items.value == "all" else route.items
        assert projected["goodsItems"] == [document["goodsItems"][i] for i in wanted]

    assert validator.validate(view.name, projected) == []
    assert document == original, "projection must not modify the routed document"


def test_matched_view_sends_only_triggering_items(tables: RoutingTables, consignment: Builder) -> None:
    document = consignment(("080810", "Apples"), ("020230", "Beef"), ("847130", "Laptops"))
    for recipient, descriptions in {
        "veterinary": ["Beef"],
        "phytosanitary": ["Apples"],
        "sanitary": ["Apples", "Beef"],
    }.items():
        route = decide(tables, "consignment", document).get(recipient)
        assert route is not None
        projected = project(tables.views.get(route.view), document, route.items, "s", 1, recipient)
        assert [item["description"] for item in projected["goodsItems"]] == descriptions


def test_border_guard_gets_no_goods_and_no_commercial_parties(tables: RoutingTables, consignment: Builder) -> None:
    document = consignment()
    projected = project(tables.views.get("view-border-guard"), document, (0,), "s", 1, "border-guard")
    assert not {"goodsItems", "exporter", "importer", "declarant", "invoiceAmount"} & set(projected)
    assert projected["transport"] == document["transport"]


def test_sanitary_gets_only_its_transport_sub_fields(tables: RoutingTables, consignment: Builder) -> None:
    projected = project(tables.views.get("view-sanitary"), consignment(), (0,), "s", 1, "sanitary")
    assert set(projected["transport"]) == {"modeOfTransportAtBorder", "transportMeans", "route"}


def test_optional_source_fields_absent_are_left_out(tables: RoutingTables, consignment: Builder) -> None:
    document = consignment()
    assert "consignor" not in document
    projected = project(tables.views.get("view-customs"), document, (0,), "s", 1, "customs")
    assert "consignor" not in projected and "representative" not in projected


def _view_example_cases() -> list[Any]:
    """Each shipped view example paired with the consignment example it was cut from (same UCR)."""
    consignments = {json.loads(p.read_text())["ucr"]: p for p in CATALOG.get("consignment").valid_examples}
    cases = []
    for view in load_tables().views.views:
        for path in CATALOG.get(view.name).valid_examples:
            source = consignments.get(json.loads(path.read_text())["ucr"])
            cases.append(pytest.param(view.name, path, source, id=f"{view.name}/{path.name}"))
    return cases


@pytest.mark.parametrize(("view_name", "example", "source"), _view_example_cases())
def test_spec_view_examples_are_exactly_our_projections(
    tables: RoutingTables, view_name: str, example: Path, source: Path | None
) -> None:
    """The view authors' examples and the routing data agree field by field, goods item by goods item."""
    assert source is not None, f"no consignment example has the UCR of {example.name}"
    expected = json.loads(example.read_text())
    document = json.loads(source.read_text())
    route = decide(tables, "consignment", document).get(expected["recipient"])
    assert route is not None, f"{source.name} is not routed to {expected['recipient']}"
    assert route.view == view_name
    view = tables.views.get(view_name)
    projected = project(
        view, document, route.items, expected["submissionId"], expected["submissionVersion"], expected["recipient"]
    )
    assert projected == expected
