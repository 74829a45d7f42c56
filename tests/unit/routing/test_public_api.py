"""The routing package's public names are pinned: removing or renaming one is a deliberate change."""

from __future__ import annotations

import json
from pathlib import Path

import singlewindow.platform.routing as routing
from singlewindow.platform.routing import decide, load_tables

FIXTURES = Path(__file__).parent / "fixtures"


def test_public_names() -> None:
    assert sorted(routing.__all__) == sorted(
        [
            "ADDED_FIELDS",
            "KNOWN_FLAGS",
            "Conditions",
            "Direction",
            "DocumentFacts",
            "GoodsItemsSelection",
            "ItemFacts",
            "RecipientRoute",
            "ReloadingTables",
            "Router",
            "RoutingDecision",
            "RoutingTables",
            "Rule",
            "RuleMatch",
            "RuleSet",
            "View",
            "ViewSet",
            "check_routing",
            "consistency_problems",
            "decide",
            "explanation",
            "extract_facts",
            "load_rules",
            "load_tables",
            "load_views",
            "match_rule",
            "parse_rules",
            "parse_views",
            "project",
            "render_text",
        ]
    )
    assert all(hasattr(routing, name) for name in routing.__all__)


def test_decision_as_plain_json() -> None:
    document = json.loads((FIXTURES / "apples-cn-kz.json").read_text())
    data = decide(load_tables(), "consignment", document).as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["recipients"][2] == {
        "recipient": "phytosanitary",
        "view": "view-phytosanitary",
        "goodsItems": [0],
        "rules": [{"id": "phytosanitary-plant-products", "goodsItems": [0], "itemLevel": True}],
    }
