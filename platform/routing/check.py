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

from jsonschema import Draft202012Validator

from singlewindow import message_specs
from singlewindow.platform.errors import ConfigurationError, Problem
from singlewindow.platform.routing.engine import decide
from singlewindow.platform.routing.loading import pointer
from singlewindow.platform.routing.tables import RoutingTables, load_tables
from singlewindow.platform.routing.views import ADDED_FIELDS, View, project


def documents_dir() -> Path:
    return Path(str(message_specs.root() / "documents"))


def document_schema(document_type: str, documents: Path | None = None) -> dict[str, Any] | None:
    """The registered JSON Schema of a document type, or None when there is none."""
    path = (documents or documents_dir()) / document_type / "schema.json"
    if not path.is_file():
        return None
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def valid_examples(document_type: str, documents: Path | None = None) -> list[Path]:
    return sorted(((documents or documents_dir()) / document_type / "examples" / "valid").glob("*.json"))


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


def _view_problems(view: View, at: str, documents: Path | None) -> list[Problem]:
    source = document_schema(view.source_document_type, documents)
    target = document_schema(view.name, documents)
    if source is None or target is None:
        missing = view.source_document_type if source is None else view.name
        return [Problem(at, "document-type", f"view {view.name!r}: no registered schema for {missing!r}")]
    problems = []
    for position, field in enumerate(view.fields):
        for schema, role in ((source, view.source_document_type), (target, view.name)):
            if not has_field(schema, field):
                message = f"{field} is not a field of {role}"
                problems.append(Problem(f"{at}/fields/{position}", "unknown-field", message))
    filled = {field.split("/")[1] for field in view.fields} | set(ADDED_FIELDS)
    filled |= {"goodsItems"} if view.goods_items.value != "none" else set()
    for name in sorted(set(target.get("properties", {})) - filled):
        message = f"the view schema {view.name} has {name!r} but the view never fills it"
        problems.append(Problem(at, "unfilled-field", message, "warning"))
    return problems


def _projection_problems(tables: RoutingTables, documents: Path | None) -> list[Problem]:
    problems: list[Problem] = []
    for document_type in sorted({view.source_document_type for view in tables.views.views}):
        for example in valid_examples(document_type, documents):
            document = json.loads(example.read_text(encoding="utf-8"))
            for route in decide(tables, document_type, document).recipients:
                view = tables.views.get(route.view)
                schema = document_schema(view.name, documents)
                if schema is None or view.source_document_type != document_type:
                    continue
                projected = project(view, document, route.items, "check", 1, route.recipient)
                for error in Draft202012Validator(schema).iter_errors(projected):
                    where = f"{example.name} -> {route.recipient}{pointer(error.absolute_path)}"
                    problems.append(Problem(where, "projection", error.message))
    return problems


def check_routing(directory: Path | None = None, documents: Path | None = None) -> list[Problem]:
    """Every problem of the routing data in ``directory``; errors first, then warnings."""
    try:
        tables = load_tables(directory)
    except ConfigurationError as exc:
        return [Problem(str(directory or ""), "load", exc.message)]
    problems: list[Problem] = []
    for index, view in enumerate(tables.views.views):
        problems += _view_problems(view, f"views.json#/views/{index}", documents)
    named = {recipient for rule in tables.rules.rules for recipient in rule.recipients}
    for recipient in tables.catalogue.recipients:
        if recipient.id not in named:
            problems.append(Problem(recipient.id, "unrouted", "no rule names this recipient", "warning"))
    for index, rule in enumerate(tables.rules.rules):
        for document_type in sorted(rule.when.document_types or ()):
            if document_schema(document_type, documents) is None:
                where = f"rules.json#/rules/{index}/when/documentTypes"
                problems.append(Problem(where, "document-type", f"{document_type!r} is not a registered document type"))
    problems += _projection_problems(tables, documents)
    return sorted(problems, key=lambda p: p.severity != "error")
