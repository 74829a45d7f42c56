"""The pieces every part of the hub's OpenAPI document is made of: references, bodies, the error responses
of the one status table, an operation, and component schemas taken from the pydantic models a route reads
(so the document cannot drift from what the server checks)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
TEXT: dict[str, Any] = {"type": "string"}
INTEGER: dict[str, Any] = {"type": "integer"}
BOOLEAN: dict[str, Any] = {"type": "boolean"}
STAMP: dict[str, Any] = {"type": "string", "format": "date-time"}
ANY_OBJECT: dict[str, Any] = {"type": "object"}

_COMPONENTS = "#/components/schemas/"
_ERROR_TEXT = {
    "401": "No or bad bearer token",
    "403": "Not allowed for this caller",
    "404": "Not found (or not the caller's to see)",
    "409": "Conflict with the current state",
    "413": "Body or document over the size limit",
    "422": "Invalid input (also a refused character, JSON nested over 64 levels, a number out of range, a "
    "missing body); `problems` point into the request",
    "503": "Broker or database unavailable: retry later",
}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"{_COMPONENTS}{name}"}


def json_content(schema: Mapping[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": dict(schema)}}}


def ok(description: str, schema: Mapping[str, Any] | None = None, status: str = "200") -> dict[str, Any]:
    return {status: {"description": description, **(json_content(schema) if schema is not None else {})}}


def errors(conflicts: str | None = None) -> dict[str, Any]:
    """The error responses every authenticated operation may give; ``conflicts`` says what a 409 means."""
    text = dict(_ERROR_TEXT)
    if conflicts is not None:
        text["409"] = conflicts
    return {code: {"description": words, **json_content(ref("Error"))} for code, words in text.items()}


def operation(
    summary: str,
    op_id: str,
    responses: dict[str, Any],
    body: Mapping[str, Any] | None = None,
    *,
    conflicts: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An authenticated operation; ``body`` is a JSON request body's schema (a ``ref`` or inline)."""
    found: dict[str, Any] = {
        "summary": summary,
        "operationId": op_id,
        "security": BEARER,
        "responses": {**responses, **errors(conflicts)},
    }
    if body is not None:
        found["requestBody"] = {"required": True, **json_content(body)}
    found.update(extra)
    return found


def query(name: str, schema: Mapping[str, Any], description: str, *, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": dict(schema), "description": description}


def path_param(name: str, schema: Mapping[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": dict(schema), "description": description}


def model_schemas(*models: type[BaseModel]) -> dict[str, Any]:
    """Component schemas of request models, as pydantic validates them (nested models become components)."""
    _, found = models_json_schema([(model, "validation") for model in models], ref_template=_COMPONENTS + "{model}")
    return dict(found.get("$defs", {}))
