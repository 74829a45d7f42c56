"""Each rule condition on its own and together; unions of rules per recipient."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from singlewindow.platform.routing import RoutingTables, decide

Builder = Callable[..., dict[str, Any]]
TablesWith = Callable[..., RoutingTables]


def rule(rule_id: str, recipients: list[str], **when: Any) -> dict[str, Any]:
    return {"id": rule_id, "description": f"test rule {rule_id}", "recipients": recipients, "when": when}


def routed(tables: RoutingTables, document: dict[str, Any], document_type: str = "consignment") -> dict[str, Any]:
    """recipient -> (rule ids, item indexes)"""
    return {r.recipient: (r.rule_ids, r.items) for r in decide(tables, document_type, document).recipients}


@pytest.mark.parametrize(
    ("prefix", "matches"),
    [
        ("08", True),  # chapter
        ("0808", True),  # heading
        ("080810", True),  # subheading
        ("0806", False),  # another heading of the same chapter
        ("080830", False),  # pears: same heading, another subheading
        ("80", False),  # a prefix is anchored at the start, not a substring
    ],
)
def test_hs_prefix_kinds(tables_with: TablesWith, consignment: Builder, prefix: str, matches: bool) -> None:
    tables = tables_with(rule("fruit", ["phytosanitary"], hsPrefixes=[prefix]))
    expected = {"phytosanitary": (("fruit",), (0,))} if matches else {}
    assert routed(tables, consignment(("080810", "Fresh apples"))) == expected


def test_hs_prefix_matches_any_item_and_remembers_which(tables_with: TablesWith, consignment: Builder) -> None:
    tables = tables_with(rule("meat", ["veterinary"], hsPrefixes=["0201", "0202"]))
    document = consignment(("847130", "Laptops"), ("020230", "Frozen beef"), ("020130", "Chilled beef"))
    assert routed(tables, document) == {"veterinary": (("meat",), (1, 2))}


def test_item_flag(tables_with: TablesWith, consignment: Builder) -> None:
    tables = tables_with(rule("cold", ["sanitary"], flags=["requiresColdChain"]))
    document = consignment(
        ("847130", "Laptops", {"requiresColdChain": False}),
        ("020230", "Frozen beef", {"requiresColdChain": True}),
        flags={"requiresColdChain": False},
    )
    assert routed(tables, document) == {"sanitary": (("cold",), (1,))}


def test_dangerous_goods_flag_is_set_by_the_item_details(tables_with: TablesWith, consignment: Builder) -> None:
    tables = tables_with(rule("adr", ["border-guard"], flags=["dangerousGoods"]))
    battery = {"dangerousGoods": {"unNumber": "3480", "hazardClass": "9"}}
    document = consignment(("847130", "Laptops"), ("850760", "Lithium-ion batteries", battery))
    assert routed(tables, document) == {"border-guard": (("adr",), (1,))}


def test_consignment_level_flag_holds_for_every_item(tables_with: TablesWith, consignment: Builder) -> None:
    tables = tables_with(rule("transit", ["customs"], flags=["transit"]))
    two = (("847130", "Laptops"), ("080810", "Apples"))
    assert routed(tables, consignment(*two, flags={"transit": True})) == {"customs": (("transit",), (0, 1))}
    assert routed(tables, consignment(*two, flags={"transit": False})) == {}


def test_all_flags_of_a_rule_must_hold(tables_with: TablesWith, consignment: Builder) -> None:
    tables = tables_with(rule("live-and-cold", ["veterinary"], flags=["liveAnimals", "requiresColdChain"]))
    document = consignment(("010221", "Cattle", {"liveAnimals": True, "requiresColdChain": False}), flags={})
    document["flags"]["requiresColdChain"] = False
    assert routed(tables, document) == {}


def test_hs_and_flag_must_hold_on_the_same_item(tables_with: TablesWith, consignment: Builder) -> None:
    tables = tables_with(rule("cold-meat", ["veterinary"], hsPrefixes=["02"], flags=["requiresColdChain"]))
    document = consignment(
        ("020230", "Beef, ambient (canned elsewhere)", {"requiresColdChain": False}),
        ("080810", "Apples", {"requiresColdChain": True}),
        flags={"requiresColdChain": False},
    )
    assert routed(tables, document) == {}
    document["goodsItems"][0]["requiresColdChain"] = True
    assert routed(tables, document) == {"veterinary": (("cold-meat",), (0,))}


@pytest.mark.parametrize(("points", "matches"), [(["KZNZH"], True), (["CNHRG", "KZDST"], True), (["KZDST"], False)])
def test_border_crossing_point(tables_with: TablesWith, consignment: Builder, points: list[str], matches: bool) -> None:
    tables = tables_with(rule("khorgos", ["border-guard"], borderCrossingPoints=points))
    assert bool(routed(tables, consignment())) is matches


@pytest.mark.parametrize(("countries", "matches"), [(["KZ"], True), (["KG", "KZ"], True), (["CN"], False)])
def test_destination_country(
    tables_with: TablesWith, consignment: Builder, countries: list[str], matches: bool
) -> None:
    tables = tables_with(rule("to-kz", ["customs"], destinationCountries=countries))
    assert bool(routed(tables, consignment())) is matches


@pytest.mark.parametrize(("countries", "matches"), [(["CN"], True), (["KZ"], False)])
def test_export_country(tables_with: TablesWith, consignment: Builder, countries: list[str], matches: bool) -> None:
    tables = tables_with(rule("from-cn", ["customs"], exportCountries=countries))
    assert bool(routed(tables, consignment())) is matches


@pytest.mark.parametrize(
    ("code", "directions", "matches"),
    [
        ("IM", ["import"], True),
        ("EK", ["export"], True),
        ("TR", ["transit"], True),
        ("IM", ["export", "transit"], False),
    ],
)
def test_direction_from_the_procedure(
    tables_with: TablesWith, consignment: Builder, code: str, directions: list[str], matches: bool
) -> None:
    tables = tables_with(rule("dir", ["customs"], direction=directions))
    document = consignment(procedure={"direction": code, "procedureCode": "40"})
    assert bool(routed(tables, document)) is matches


def test_document_type(tables_with: TablesWith, consignment: Builder) -> None:
    tables = tables_with(rule("manifests", ["customs"], documentTypes=["cargo-manifest"]))
    assert routed(tables, consignment()) == {}
    assert routed(tables, consignment(), "cargo-manifest") == {"customs": (("manifests",), (0,))}


def test_every_condition_must_hold(tables_with: TablesWith, consignment: Builder) -> None:
    when = {"hsPrefixes": ["08"], "destinationCountries": ["KZ"], "exportCountries": ["KZ"]}
    assert routed(tables_with(rule("all", ["customs"], **when)), consignment()) == {}


def test_recipient_gets_the_union_of_matching_rules(tables_with: TablesWith, consignment: Builder) -> None:
    tables = tables_with(
        rule("fruit", ["phytosanitary", "sanitary"], hsPrefixes=["08"]),
        rule("veg", ["phytosanitary"], hsPrefixes=["07"]),
        rule("cold", ["sanitary"], flags=["requiresColdChain"]),
        rule("grain", ["phytosanitary"], hsPrefixes=["10"]),
    )
    document = consignment(
        ("080810", "Apples", {"requiresColdChain": False}),
        ("070200", "Tomatoes", {"requiresColdChain": True}),
        ("847130", "Laptops", {"requiresColdChain": False}),
        flags={"requiresColdChain": False},
    )
    decision = decide(tables, "consignment", document)
    phyto, sanitary = decision.get("phytosanitary"), decision.get("sanitary")
    assert phyto is not None and sanitary is not None
    assert [(m.rule_id, m.items) for m in phyto.matches] == [("fruit", (0,)), ("veg", (1,))]
    assert [(m.rule_id, m.items) for m in sanitary.matches] == [("fruit", (0,)), ("cold", (1,))]
    assert phyto.items == (0, 1) and sanitary.items == (0, 1)
    assert decision.rules_version == 7


def test_consignment_level_rule_covers_all_items(tables_with: TablesWith, consignment: Builder) -> None:
    decision = decide(
        tables_with(rule("all", ["customs"], documentTypes=["consignment"])),
        "consignment",
        consignment(("080810", "Apples"), ("847130", "Laptops")),
    )
    (route,) = decision.recipients
    assert route.items == (0, 1) and route.matches[0].item_level is False


def test_flag_rule_on_a_document_without_goods_items(tables_with: TablesWith) -> None:
    tables = tables_with(rule("transit", ["customs"], flags=["transit"]))
    assert routed(tables, {"flags": {"transit": True}}, "cargo-manifest") == {"customs": (("transit",), ())}
    assert routed(tables, {"flags": {"transit": False}}, "cargo-manifest") == {}
