"""The three routing files read together (rules, views, recipients catalogue) and checked against each
other: a rule may name only catalogued recipients, and every recipient's view must exist."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from singlewindow.platform.catalogue import Catalogue, load_catalogue
from singlewindow.platform.errors import Problem
from singlewindow.platform.routing.loading import raise_if_problems, shipped_dir
from singlewindow.platform.routing.rules import RULES_FILE, RuleSet, load_rules
from singlewindow.platform.routing.views import VIEWS_FILE, ViewSet, load_views

CATALOGUE_FILE = "recipients.json"
FILES: tuple[str, ...] = (RULES_FILE, VIEWS_FILE, CATALOGUE_FILE)


@dataclass(frozen=True, slots=True)
class RoutingTables:
    """One consistent generation of the routing data; the router reads only this."""

    rules: RuleSet
    views: ViewSet
    catalogue: Catalogue
    source: str


def consistency_problems(rules: RuleSet, views: ViewSet, catalogue: Catalogue) -> list[Problem]:
    """What no single file's schema can see: names that point across files."""
    known = {recipient.id for recipient in catalogue.recipients}
    problems: list[Problem] = []
    for index, rule in enumerate(rules.rules):
        for position, recipient in enumerate(rule.recipients):
            if recipient not in known:
                message = (
                    f"rule {rule.id!r} names unknown recipient {recipient!r} (catalogue: {', '.join(sorted(known))})"
                )
                problems.append(Problem(f"{RULES_FILE}#/rules/{index}/recipients/{position}", "recipient", message))
    for index, entry in enumerate(catalogue.recipients):
        if entry.view not in views.names():
            message = f"recipient {entry.id!r} has unknown view {entry.view!r}"
            problems.append(Problem(f"{CATALOGUE_FILE}#/recipients/{index}/view", "view", message))
    return problems


def load_tables(directory: Path | None = None) -> RoutingTables:
    """Read and cross-check rules.json, views.json and recipients.json from ``directory``."""
    folder = directory or shipped_dir()
    rules = load_rules(folder)
    views = load_views(folder)
    catalogue = load_catalogue(folder / CATALOGUE_FILE)
    raise_if_problems(consistency_problems(rules, views, catalogue), "routing data", str(folder))
    return RoutingTables(rules=rules, views=views, catalogue=catalogue, source=str(folder))
