"""``nsw routes check``: the routing data against itself, the catalogue and the registered schemas.

Beyond loading (schemas, unknown recipients, unknown views) it checks that every view field exists in
the source and the view schema, that the view fills every field its schema has, and that projecting
every valid example for every recipient gives a document valid under the view's schema.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from singlewindow.platform.errors import ConfigurationError, Problem
from singlewindow.platform.routing.engine import decide
from singlewindow.platform.routing.tables import RoutingTables, load_tables
from singlewindow.platform.routing.views import ADDED_FIELDS, HUB_ADDED_FIELDS, View, project
from singlewindow.platform.specs import Catalog, CodeList, DocumentValidator


def document_schema(catalog: Catalog, document_type: str) -> dict[str, Any] | None:
    """The registered JSON Schema of a document type, or None when there is none."""
    return catalog.get(document_type).json_schema if document_type in catalog else None


def valid_examples(catalog: Catalog, document_type: str) -> list[Path]:
    return catalog.get(document_type).valid_examples if document_type in catalog else []


def _resolve(schema: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return _resolve(schema, schema["$defs"][ref.removeprefix("#/$defs/")])
    return node


def has_field(schema: Mapping[str, Any], field_pointer: str) -> bool:
    """Whether ``/top`` or ``/top/sub`` is a declared property of ``schema``."""
    node: Mapping[str, Any] = schema
    for part in field_pointer.lstrip("/").split("/"):
        properties = _resolve(schema, node).get("properties", {})
        if part not in properties:
            return False
        node = properties[part]
    return True


def _view_problems(view: View, at: str, catalog: Catalog) -> list[Problem]:
    source = document_schema(catalog, view.source_document_type)
    target = document_schema(catalog, view.name)
    if source is None or target is None:
        missing = view.source_document_type if source is None else view.name
        return [Problem(at, "document-type", f"view {view.name!r}: no registered schema for {missing!r}")]
    problems = []
    for position, field in enumerate(view.fields):
        for schema, role in ((source, view.source_document_type), (target, view.name)):
            if not has_field(schema, field):
                message = f"{field} is not a field of {role}"
                problems.append(Problem(f"{at}/fields/{position}", "unknown-field", message))
    filled = {field.split("/")[1] for field in view.fields} | set(ADDED_FIELDS) | set(HUB_ADDED_FIELDS)
    filled |= {"goodsItems"} if view.goods_items.value != "none" else set()
    for name in sorted(set(target.get("properties", {})) - filled):
        message = f"the view schema {view.name} has {name!r} but the view never fills it"
        problems.append(Problem(at, "unfilled-field", message, "warning"))
    return problems


def _projection_problems(tables: RoutingTables, validator: DocumentValidator) -> list[Problem]:
    """Project every valid example of each source type for each of its recipients and validate the result
    (schema and code lists) as the view's registered document type."""
    problems: list[Problem] = []
    for document_type in sorted({view.source_document_type for view in tables.views.views}):
        for example in valid_examples(validator.catalog, document_type):
            document = json.loads(example.read_text(encoding="utf-8"))
            for route in decide(tables, document_type, document).recipients:
                if route.whole_document:
                    continue
                view = tables.views.get(route.view)
                if view.name not in validator.catalog or view.source_document_type != document_type:
                    continue
                projected = project(view, document, route.items, "check", 1, route.recipient)
                for problem in validator.validate(view.name, projected):
                    where = f"{example.name} -> {route.recipient}{problem.path}"
                    problems.append(Problem(where, "projection", f"{problem.message} [{problem.code}]"))
    return problems


def _listed_problems(at: str, field: str, values: frozenset[str] | None, code_list: CodeList | None) -> list[Problem]:
    if code_list is None:
        return []
    return [
        Problem(f"{at}/{field}", "codelist", f"{value!r} is not in the {code_list.id} list")
        for value in sorted(values or ())
        if not code_list.accepts(value)
    ]


def _hs_problems(at: str, prefixes: tuple[str, ...] | None, hs: CodeList | None) -> list[Problem]:
    problems: list[Problem] = []
    if hs is None:
        return problems
    for position, prefix in enumerate(prefixes or ()):
        listed = prefix in hs.codes if len(prefix) == 2 else hs.accepts(prefix)
        if not listed:
            kind = "chapter" if len(prefix) == 2 else "heading"
            message = f"HS {kind} {prefix[:4]!r} is not in the shipped hs list: intake refuses it, so no match yet"
            problems.append(Problem(f"{at}/hsPrefixes/{position}", "codelist", message, "warning"))
    return problems


def _code_problems(tables: RoutingTables, code_lists: Mapping[str, CodeList]) -> list[Problem]:
    """Rule values against the shipped code lists: an unlisted crossing point or country is a typo; an HS
    heading missing from the hs list is a warning (intake refuses such codes, so the rule can never fire)."""
    problems: list[Problem] = []
    for index, rule in enumerate(tables.rules.rules):
        at, when = f"rules.json#/rules/{index}/when", rule.when
        points = code_lists.get("border-crossing-points")
        problems += _listed_problems(at, "borderCrossingPoints", when.border_crossing_points, points)
        countries = code_lists.get("countries")
        problems += _listed_problems(at, "destinationCountries", when.destination_countries, countries)
        problems += _listed_problems(at, "exportCountries", when.export_countries, countries)
        problems += _hs_problems(at, when.hs_prefixes, code_lists.get("hs"))
    return problems


def _routed_view_problems(tables: RoutingTables, index: int) -> list[Problem]:
    """Each recipient of a rule must have a view of each document type the rule routes: "document" (always
    fine) or a view projecting that type; a consignment view cannot be cut out of a cargo manifest."""
    rule, problems = tables.rules.rules[index], []
    for position, recipient_id in enumerate(rule.recipients):
        recipient = tables.catalogue.get(recipient_id)
        for document_type in sorted(rule.when.document_types or ()):
            if recipient.gets_whole(document_type):
                continue
            name = recipient.view_for(document_type)
            source = tables.views.get(name).source_document_type
            if source != document_type:
                where = f"rules.json#/rules/{index}/recipients/{position}"
                message = (
                    f"rule {rule.id!r} routes {document_type} to {recipient_id!r}, whose view {name!r} projects "
                    f'{source}: map {document_type} in its documentViews (a view of it, or "document")'
                )
                problems.append(Problem(where, "view-source", message))
    return problems


def check_routing(directory: Path | None = None, validator: DocumentValidator | None = None) -> list[Problem]:
    """Every problem of the routing data in ``directory`` against the registered document types (default:
    the shipped specs); errors first, then warnings."""
    validator = validator or DocumentValidator(Catalog())
    catalog = validator.catalog
    try:
        tables = load_tables(directory)
    except ConfigurationError as exc:
        return [Problem(str(directory or ""), "load", exc.message)]
    problems: list[Problem] = []
    for index, view in enumerate(tables.views.views):
        problems += _view_problems(view, f"views.json#/views/{index}", catalog)
    named = {recipient for rule in tables.rules.rules for recipient in rule.recipients}
    for recipient in tables.catalogue.recipients:
        if recipient.id not in named:
            problems.append(Problem(recipient.id, "unrouted", "no rule names this recipient", "warning"))
    for index, rule in enumerate(tables.rules.rules):
        for document_type in sorted(rule.when.document_types or ()):
            if document_type not in catalog:
                where = f"rules.json#/rules/{index}/when/documentTypes"
                problems.append(Problem(where, "document-type", f"{document_type!r} is not a registered document type"))
        problems += _routed_view_problems(tables, index)
    problems += _code_problems(tables, validator.code_lists)
    problems += _projection_problems(tables, validator)
    return sorted(problems, key=lambda p: p.severity != "error")
