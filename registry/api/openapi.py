"""The OpenAPI 3.1 document of the registry's REST API (Confluent's paths), served at ``/openapi.json``.

Written by hand from the routes in ``subjects``, ``schemas`` and ``config`` so generic tools (schemathesis
in tests/hostile, API browsers) can drive the registry; Confluent publishes none for its own API.
"""

from __future__ import annotations

from typing import Any

_MEDIA = "application/vnd.schemaregistry.v1+json"
_TEXT = {"type": "string"}
_FLAG = {"type": "boolean"}


def _param(name: str, where: str = "query", schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": where, "required": where == "path", "schema": schema or _TEXT}


_SUBJECT = _param("subject", "path")
_VERSION = _param(
    "version", "path", {"type": "string", "description": "A version number from 1, or 'latest' (-1 also means latest)"}
)
_ID = _param("id", "path", {"type": "integer", "minimum": 1})
_PAGE = [_param("offset", schema={"type": "integer"}), _param("limit", schema={"type": "integer"})]
_DELETED = _param("deleted", schema=_FLAG)


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {_MEDIA: {"schema": schema}, "application/json": {"schema": schema}}}


_ERROR = {
    "description": "Confluent's error body; error_code refines the HTTP status (40401 no subject, 42201 bad schema)",
    **_json({"$ref": "#/components/schemas/Error"}),
}


def _op(summary: str, ok: dict[str, Any], *params: dict[str, Any], body: str | None = None) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "parameters": list(params),
        "responses": {"200": {"description": "OK", **_json(ok)}, "default": _ERROR},
    }
    if body is not None:
        operation["requestBody"] = {"required": True, **_json({"$ref": f"#/components/schemas/{body}"})}
    return operation


def _write(operation: dict[str, Any]) -> dict[str, Any]:
    """Writes need a bearer token when the registry runs behind the principals' guard."""
    return operation | {"security": [{"bearer": []}, {}]}


def _schemas() -> dict[str, Any]:
    schema_type = {"enum": ["AVRO", "JSON", "PROTOBUF"]}
    return {
        "Error": {
            "type": "object",
            "required": ["error_code", "message"],
            "properties": {"error_code": {"type": "integer"}, "message": _TEXT},
        },
        "SchemaRequest": {
            "type": "object",
            "required": ["schema"],
            "properties": {
                "schema": {"type": "string", "description": "The schema text (Avro, JSON Schema or .proto)"},
                "schemaType": schema_type,
                "references": {"type": "array", "maxItems": 0},
            },
        },
        "ConfigRequest": {
            "type": "object",
            "properties": {
                "compatibility": {
                    "enum": [
                        "NONE",
                        "BACKWARD",
                        "BACKWARD_TRANSITIVE",
                        "FORWARD",
                        "FORWARD_TRANSITIVE",
                        "FULL",
                        "FULL_TRANSITIVE",
                    ]
                }
            },
        },
        "ModeRequest": {
            "type": "object",
            "required": ["mode"],
            "properties": {"mode": {"enum": ["READWRITE", "READONLY", "READONLY_OVERRIDE", "IMPORT"]}},
        },
    }


def openapi_document() -> dict[str, Any]:
    anything: dict[str, Any] = {}
    names = {"type": "array", "items": _TEXT}
    numbers = {"type": "array", "items": {"type": "integer"}}
    subject_params = (_param("subjectPrefix"), _DELETED, _param("deletedOnly", schema=_FLAG), *_PAGE)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Single Window schema registry (Confluent-compatible)",
            "version": "1.0.0",
            "description": "Reads are open; writes need a token when guarded. See docs/registry.md.",
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": _schemas(),
        },
        "paths": {
            "/": {"get": _op("Root", anything)},
            "/contexts": {"get": _op("Contexts", names)},
            "/subjects": {"get": _op("Subjects", names, *subject_params)},
            "/subjects/{subject}": {
                "post": _op("Look up a schema under a subject", anything, _SUBJECT, _DELETED, body="SchemaRequest"),
                "delete": _write(_op("Delete a subject", numbers, _SUBJECT, _param("permanent", schema=_FLAG))),
            },
            "/subjects/{subject}/versions": {
                "get": _op("Versions", numbers, _SUBJECT, _DELETED, _param("deletedOnly", schema=_FLAG), *_PAGE),
                "post": _write(_op("Register", anything, _SUBJECT, body="SchemaRequest")),
            },
            "/subjects/{subject}/versions/{version}": {
                "get": _op("One version", anything, _SUBJECT, _VERSION, _DELETED),
                "delete": _write(
                    _op("Delete a version", {"type": "integer"}, _SUBJECT, _VERSION, _param("permanent", schema=_FLAG))
                ),
            },
            "/subjects/{subject}/versions/{version}/schema": {
                "get": _op("The schema text of a version", anything, _SUBJECT, _VERSION, _DELETED)
            },
            "/subjects/{subject}/versions/{version}/referencedby": {
                "get": _op("Versions referring to it (none: references are not supported)", numbers, _SUBJECT, _VERSION)
            },
            "/schemas": {
                "get": _op(
                    "Every version",
                    {"type": "array"},
                    _param("subjectPrefix"),
                    _DELETED,
                    _param("latestOnly", schema=_FLAG),
                    *_PAGE,
                )
            },
            "/schemas/types": {"get": _op("Schema types", names)},
            "/schemas/ids/{id}": {"get": _op("A schema by global id", anything, _ID)},
            "/schemas/ids/{id}/schema": {"get": _op("Its text", anything, _ID)},
            "/schemas/ids/{id}/subjects": {"get": _op("Subjects using it", names, _ID, _DELETED, *_PAGE)},
            "/schemas/ids/{id}/versions": {"get": _op("Subject versions using it", {"type": "array"}, _ID, *_PAGE)},
            "/compatibility/subjects/{subject}/versions/{version}": {
                "post": _op(
                    "Test against one version",
                    anything,
                    _SUBJECT,
                    _VERSION,
                    _param("verbose", schema=_FLAG),
                    body="SchemaRequest",
                )
            },
            "/compatibility/subjects/{subject}/versions": {
                "post": _op(
                    "Test against every version",
                    anything,
                    _SUBJECT,
                    _param("verbose", schema=_FLAG),
                    body="SchemaRequest",
                )
            },
            "/config": {
                "get": _op("Global compatibility", anything),
                "put": _write(_op("Set it", anything, body="ConfigRequest")),
                "delete": _write(_op("Reset it", anything)),
            },
            "/config/{subject}": {
                "get": _op("A subject's compatibility", anything, _SUBJECT, _param("defaultToGlobal", schema=_FLAG)),
                "put": _write(_op("Set it", anything, _SUBJECT, body="ConfigRequest")),
                "delete": _write(_op("Remove it", anything, _SUBJECT)),
            },
            "/mode": {
                "get": _op("Global mode", anything),
                "put": _write(_op("Set it", anything, body="ModeRequest")),
                "delete": _write(_op("Reset it", anything)),
            },
            "/mode/{subject}": {
                "get": _op("A subject's mode", anything, _SUBJECT, _param("defaultToGlobal", schema=_FLAG)),
                "put": _write(_op("Set it", anything, _SUBJECT, body="ModeRequest")),
                "delete": _write(_op("Remove it", anything, _SUBJECT)),
            },
            "/openapi.json": {"get": _op("This document", anything)},
        },
    }
