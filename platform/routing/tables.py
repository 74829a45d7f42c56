"""The three routing files read together (rules, views, recipients catalogue) and checked against each
other: a rule may name only catalogued recipients, and every recipient's view must exist."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from singlewindow.platform.catalogue import WHOLE_DOCUMENT, Catalogue, load_catalogue
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
        at = f"{CATALOGUE_FILE}#/recipients/{index}"
        if entry.view != WHOLE_DOCUMENT and entry.view not in views.names():
            message = f"recipient {entry.id!r} has unknown view {entry.view!r}"
            problems.append(Problem(f"{at}/view", "view", message))
        for document_type, name in sorted(entry.document_views.items()):
            problems += _mapped_view_problems(f"{at}/documentViews/{document_type}", document_type, name, views)
    return problems


def _mapped_view_problems(at: str, document_type: str, name: str, views: ViewSet) -> list[Problem]:
    """A ``documentViews`` entry must name "document" or an existing view that projects that very type."""
    if name == WHOLE_DOCUMENT:
        return []
    if name not in views.names():
        return [Problem(at, "view", f"{document_type} is mapped to unknown view {name!r}")]
    source = views.get(name).source_document_type
    if source != document_type:
        message = f"{document_type} is mapped to view {name!r}, which projects {source}, not {document_type}"
        return [Problem(at, "view-source", message)]
    return []


def load_tables(directory: Path | None = None) -> RoutingTables:
    """Read and cross-check rules.json, views.json and recipients.json from ``directory``."""
    folder = directory or shipped_dir()
    rules = load_rules(folder)
    views = load_views(folder)
    catalogue = load_catalogue(folder / CATALOGUE_FILE)
    raise_if_problems(consistency_problems(rules, views, catalogue), "routing data", str(folder))
    return RoutingTables(rules=rules, views=views, catalogue=catalogue, source=str(folder))
