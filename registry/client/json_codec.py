"""JSON Schema subjects on the wire: the document's UTF-8 JSON in the Confluent framing, validated with a
compiled validator per schema id (compiled once, kept) on the way out and on the way in. Patterns run on
RE2 (``registry.regexes``): documents come from traders, and a backtracking regex must not stall the hub."""

from __future__ import annotations

import json
from typing import Any

from jsonschema.protocols import Validator

from singlewindow.registry.client.http import RegistryClient
from singlewindow.registry.client.wire import frame, unframe
from singlewindow.registry.errors import DocumentInvalid, InvalidSchema
from singlewindow.registry.models import SchemaType
from singlewindow.registry.regexes import UnsafePattern, safe_validator_for


def _pointer(path: Any) -> str:
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in path)


class JsonCodec:
    def __init__(self, client: RegistryClient) -> None:
        self.client = client
        self._validators: dict[int, Validator] = {}

    async def validator(self, schema_id: int) -> Validator:
        cached = self._validators.get(schema_id)
        if cached is None:
            registered = await self.client.get_schema(schema_id)
            if registered.schema_type is not SchemaType.JSON:
                raise InvalidSchema(f"Schema {schema_id} is {registered.schema_type.value}, not JSON")
            document = json.loads(registered.schema)
            cls = safe_validator_for(document)
            cached = self._validators[schema_id] = cls(document, format_checker=cls.FORMAT_CHECKER)
        return cached

    async def problems(self, schema_id: int, document: Any) -> list[tuple[str, str]]:
        """(JSON pointer, message) for every violation, in a stable order."""
        validator = await self.validator(schema_id)
        try:
            found = list(validator.iter_errors(document))
        except UnsafePattern as exc:
            raise DocumentInvalid(f"Document cannot be validated against schema {schema_id}: {exc}") from exc
        errors = sorted(found, key=lambda e: (list(map(str, e.absolute_path)), e.message))
        return [(_pointer(error.absolute_path), error.message) for error in errors]

    async def _check(self, schema_id: int, document: Any) -> None:
        found = await self.problems(schema_id, document)
        if found:
            listed = "; ".join(f"{pointer}: {message}" for pointer, message in found)
            raise DocumentInvalid(f"Document does not match schema {schema_id}: {listed}")

    async def encode(self, subject: str, document: Any, *, schema: str | None = None) -> bytes:
        if schema is not None:
            schema_id = await self.client.register(subject, schema, SchemaType.JSON)
        else:
            schema_id = (await self.client.get_version(subject, "latest")).id
        await self._check(schema_id, document)
        return frame(schema_id, json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode())

    async def decode(self, data: bytes) -> Any:
        schema_id, payload = unframe(data)
        try:
            document = json.loads(payload)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise DocumentInvalid(f"Payload written with schema {schema_id} is not JSON: {exc}") from exc
        await self._check(schema_id, document)
        return document
