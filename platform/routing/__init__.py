"""Routing: rules and views as data, the decision of who gets what, projections and explanations."""

from singlewindow.platform.routing.check import check_routing
from singlewindow.platform.routing.engine import RecipientRoute, Router, RoutingDecision, RuleMatch, decide, match_rule
from singlewindow.platform.routing.explain import explanation, render_text
from singlewindow.platform.routing.facts import KNOWN_FLAGS, DocumentFacts, ItemFacts, extract_facts
from singlewindow.platform.routing.reloading import ReloadingTables
from singlewindow.platform.routing.rules import Conditions, Direction, Rule, RuleSet, load_rules, parse_rules
from singlewindow.platform.routing.tables import RoutingTables, consistency_problems, load_tables
from singlewindow.platform.routing.views import (
    ADDED_FIELDS,
    GoodsItemsSelection,
    View,
    ViewSet,
    load_views,
    parse_views,
    project,
)

__all__ = [
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
