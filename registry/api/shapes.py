"""Confluent's request and response shapes (field names exact; research §1.3)."""

from __future__ import annotations

from typing import Any

from singlewindow.registry.errors import InvalidSchema
from singlewindow.registry.models import SchemaType, StoredSchema, SubjectVersion


def schema_request(body: dict[str, Any]) -> tuple[str, SchemaType]:
    """``schema`` and ``schemaType`` from a register, lookup or compatibility body; other fields
    (``metadata``, ``ruleSet``, ...) are ignored, and only an empty ``references`` list is accepted."""
    schema = body.get("schema")
    if not isinstance(schema, str) or not schema.strip():
        raise InvalidSchema("Invalid schema: the request needs a non-empty 'schema' string")
    if body.get("references"):
        raise InvalidSchema("Invalid schema: schema references are not supported by this registry")
    return schema, SchemaType.parse(body.get("schemaType"))


def _typed(payload: dict[str, Any], schema: StoredSchema) -> dict[str, Any]:
    if schema.schema_type is not SchemaType.AVRO:  # Confluent omits the default type
        payload["schemaType"] = schema.schema_type.value
    return payload


def version_payload(row: SubjectVersion) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "subject": row.subject,
        "version": row.version,
        "id": row.schema.id,
        "schema": row.schema.schema,
    }
    if row.deleted:
        payload["deleted"] = True
    return _typed(payload, row.schema)


def schema_payload(schema: StoredSchema) -> dict[str, Any]:
    return _typed({"schema": schema.schema}, schema)
