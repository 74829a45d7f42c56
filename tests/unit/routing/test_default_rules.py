"""The shipped EAEU rules give the outcomes issue 6 requires, on our fixtures and on the spec examples."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from singlewindow.platform.routing import RoutingTables, decide
from singlewindow.platform.specs import Catalog

Builder = Callable[..., dict[str, Any]]
CATALOG = Catalog()
APPLES = ("080810", "Fresh apples")
BEEF = ("020230", "Frozen boneless beef")
LAPTOPS = ("847130", "Portable laptop computers")

EXPECTED = {
    "08": ("customs", "border-guard", "phytosanitary", "sanitary"),
    "02": ("customs", "border-guard", "veterinary", "sanitary"),
    "84": ("customs", "border-guard"),
}


@pytest.mark.parametrize(
    ("item", "expected"),
    [(APPLES, EXPECTED["08"]), (BEEF, EXPECTED["02"]), (LAPTOPS, EXPECTED["84"])],
    ids=["apples-0808", "beef-0202", "laptops-8471"],
)
def test_required_outcomes(tables: RoutingTables, consignment: Builder, item: tuple[str, str], expected: Any) -> None:
    decision = decide(tables, "consignment", consignment(item))
    assert set(decision.recipient_ids()) == set(expected)


# The spec examples named after the three cases (message_specs/documents/consignment/examples/valid).
SPEC_EXAMPLES = {"apples": "08", "frozen-beef": "02", "laptops": "84"}


def _spec_examples() -> list[Any]:
    cases = []
    for path in CATALOG.get("consignment").valid_examples:
        for name, kind in SPEC_EXAMPLES.items():
            if f"-{name}-" in path.name:
                cases.append(pytest.param(path, kind, id=path.name))
    return cases


@pytest.mark.parametrize(("example", "kind"), _spec_examples())
def test_spec_examples_route_as_required(tables: RoutingTables, example: Path, kind: str) -> None:
    document = json.loads(example.read_text())
    assert set(decide(tables, "consignment", document).recipient_ids()) == set(EXPECTED[kind])


def test_the_three_required_spec_examples_exist() -> None:
    assert sorted(case.values[1] for case in _spec_examples()) == ["02", "08", "84"]


def test_every_spec_example_routes_to_customs_and_border_guard(tables: RoutingTables) -> None:
    for path in CATALOG.get("consignment").valid_examples:
        recipients = decide(tables, "consignment", json.loads(path.read_text())).recipient_ids()
        assert {"customs", "border-guard"} <= set(recipients), path.name


def test_green_tea_goes_to_plant_quarantine_and_sanitary(tables: RoutingTables, consignment: Builder) -> None:
    decision = decide(tables, "consignment", consignment(("090210", "Green tea"), ("540752", "Polyester fabric")))
    phyto, sanitary = decision.get("phytosanitary"), decision.get("sanitary")
    assert phyto is not None and phyto.items == (0,)
    assert sanitary is not None and sanitary.items == (0,)


def test_mixed_consignment_sends_each_agency_only_its_items(tables: RoutingTables, consignment: Builder) -> None:
    decision = decide(tables, "consignment", consignment(APPLES, BEEF, LAPTOPS))
    items = {route.recipient: route.items for route in decision.recipients}
    assert items == {
        "customs": (0, 1, 2),
        "border-guard": (0, 1, 2),
        "veterinary": (1,),
        "phytosanitary": (0,),
        "sanitary": (0, 1),
    }


def test_recipients_come_in_catalogue_order_with_views(tables: RoutingTables, consignment: Builder) -> None:
    decision = decide(tables, "consignment", consignment(APPLES, BEEF))
    order = [r.id for r in tables.catalogue.recipients if r.id in decision.recipient_ids()]
    assert list(decision.recipient_ids()) == order
    assert all(route.view == tables.catalogue.get(route.recipient).view for route in decision.recipients)


def test_animal_origin_food_goes_to_both_veterinary_and_sanitary(tables: RoutingTables, consignment: Builder) -> None:
    decision = decide(tables, "consignment", consignment(("040690", "Cheese")))
    veterinary, sanitary = decision.get("veterinary"), decision.get("sanitary")
    assert veterinary is not None and veterinary.rule_ids == ("veterinary-animal-origin",)
    assert sanitary is not None and sanitary.rule_ids == ("sanitary-food-products",)


def test_declared_live_animals_outside_chapter_01_reach_veterinary(tables: RoutingTables, consignment: Builder) -> None:
    circus = ("950890", "Travelling circus with two horses", {"liveAnimals": True})
    decision = decide(tables, "consignment", consignment(LAPTOPS, circus, flags={"liveAnimals": False}))
    veterinary = decision.get("veterinary")
    assert veterinary is not None
    assert veterinary.rule_ids == ("veterinary-declared-live-animals",)
    assert veterinary.items == (1,)


def test_live_cattle_match_both_chapter_and_flag_rules(tables: RoutingTables, consignment: Builder) -> None:
    cattle = ("010221", "Pure-bred breeding cattle", {"liveAnimals": True})
    veterinary = decide(tables, "consignment", consignment(cattle)).get("veterinary")
    assert veterinary is not None
    assert veterinary.rule_ids == ("veterinary-live-animals", "veterinary-declared-live-animals")


def test_other_document_types_match_only_their_rules(tables: RoutingTables) -> None:
    assert decide(tables, "cargo-manifest", {"goodsItems": []}).recipients == ()
