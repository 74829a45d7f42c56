"""The routing decision: which recipients must see a document, by which rules, for which goods items.

A recipient's entry is the union over every rule that matched it; each match remembers the goods items
that triggered it, so the projection can send an agency only those items and an operator can see why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from singlewindow.platform.routing.facts import DocumentFacts, ItemFacts, extract_facts
from singlewindow.platform.routing.rules import Conditions, Rule
from singlewindow.platform.routing.tables import RoutingTables


@dataclass(frozen=True, slots=True)
class RuleMatch:
    """One rule that matched: its goods items, or all of them when it tests only the consignment."""

    rule_id: str
    description: str
    items: tuple[int, ...]
    item_level: bool


@dataclass(frozen=True, slots=True)
class RecipientRoute:
    """One recipient of a document: the view it gets of this document type (``Recipient.view_for``) and why.

    ``whole_document`` is True when it gets the document as submitted: ``view`` is then the document type
    itself, and the router sends the document unprojected, encoded as that type.
    """

    recipient: str
    view: str
    matches: tuple[RuleMatch, ...]
    whole_document: bool = False

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(match.rule_id for match in self.matches)

    @property
    def items(self) -> tuple[int, ...]:
        """Indexes into ``goodsItems`` of every item that triggered any of this recipient's rules."""
        return tuple(sorted({index for match in self.matches for index in match.items}))


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    document_type: str
    rules_version: int
    recipients: tuple[RecipientRoute, ...]

    def recipient_ids(self) -> tuple[str, ...]:
        return tuple(route.recipient for route in self.recipients)

    def get(self, recipient: str) -> RecipientRoute | None:
        return next((route for route in self.recipients if route.recipient == recipient), None)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON data, for storing the expected recipient set with the submission."""
        return {
            "documentType": self.document_type,
            "rulesVersion": self.rules_version,
            "recipients": [
                {
                    "recipient": route.recipient,
                    "view": route.view,
                    "goodsItems": list(route.items),
                    "rules": [
                        {"id": m.rule_id, "goodsItems": list(m.items), "itemLevel": m.item_level} for m in route.matches
                    ],
                }
                for route in self.recipients
            ],
        }


def _consignment_conditions_hold(when: Conditions, facts: DocumentFacts) -> bool:
    checks = (
        (when.document_types, facts.document_type in (when.document_types or ())),
        (when.border_crossing_points, bool(facts.border_crossing_points & (when.border_crossing_points or set()))),
        (when.destination_countries, facts.destination_country in (when.destination_countries or ())),
        (when.export_countries, facts.export_country in (when.export_countries or ())),
        (when.direction, facts.direction in (when.direction or ())),
    )
    return all(holds for condition, holds in checks if condition is not None)


def _item_matches(when: Conditions, item: ItemFacts) -> bool:
    if when.hs_prefixes is not None and not item.hs_code.startswith(tuple(when.hs_prefixes)):
        return False
    return when.flags is None or when.flags <= item.flags


def match_rule(rule: Rule, facts: DocumentFacts) -> RuleMatch | None:
    """The rule's match on these facts, or None. Item conditions (HS prefixes, flags) must hold together
    on one goods item; a document without goods items can still match on consignment-level flags."""
    when = rule.when
    if not _consignment_conditions_hold(when, facts):
        return None
    if not when.item_level:
        return RuleMatch(rule.id, rule.description, tuple(item.index for item in facts.items), False)
    items = tuple(item.index for item in facts.items if _item_matches(when, item))
    if items:
        return RuleMatch(rule.id, rule.description, items, True)
    if not facts.items and when.hs_prefixes is None and when.flags is not None and when.flags <= facts.flags:
        return RuleMatch(rule.id, rule.description, (), False)
    return None


def decide(tables: RoutingTables, document_type: str, document: Mapping[str, Any]) -> RoutingDecision:
    """Evaluate every rule; recipients come out in catalogue order, their matches in rule order."""
    facts = extract_facts(document_type, document)
    matched: dict[str, list[RuleMatch]] = {}
    for rule in tables.rules.rules:
        match = match_rule(rule, facts)
        if match is not None:
            for recipient in rule.recipients:
                matched.setdefault(recipient, []).append(match)
    routes = tuple(
        RecipientRoute(
            recipient.id,
            recipient.view_for(document_type),
            tuple(matched[recipient.id]),
            recipient.gets_whole(document_type),
        )
        for recipient in tables.catalogue.recipients
        if recipient.id in matched
    )
    return RoutingDecision(document_type, tables.rules.version, routes)


class Router:
    """Routes with whatever tables ``tables`` returns now (fixed, or a ReloadingTables' current())."""

    def __init__(self, tables: Callable[[], RoutingTables]) -> None:
        self._tables = tables

    def route(self, document_type: str, document: Mapping[str, Any]) -> RoutingDecision:
        return decide(self._tables(), document_type, document)
