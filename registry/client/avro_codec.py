"""Avro records and JSON documents to Confluent-framed Avro bytes and back.

Writer schemas come from the registry by id (cached by the client), parsed once by fastavro and kept;
a reader schema, if given, is parsed once too, and fastavro resolves writer -> reader while decoding
(promotions, defaults for fields the writer did not have). JSON documents go through the one mapping of
``singlewindow.registry.jsonavro`` (decimal strings <-> Decimal, RFC 3339 strings <-> timestamp-millis).
"""

from __future__ import annotations

import io
import json
from typing import Any

import fastavro
from fastavro.validation import ValidationError, validate

from singlewindow.registry.client.http import RegistryClient
from singlewindow.registry.client.wire import frame, unframe
from singlewindow.registry.errors import DocumentInvalid, InvalidSchema
from singlewindow.registry.jsonavro import DatumConversionError, from_avro_datum, to_avro_datum
from singlewindow.registry.models import SchemaType


class AvroCodec:
    def __init__(self, client: RegistryClient) -> None:
        self.client = client
        self._writers: dict[int, tuple[Any, Any]] = {}  # id -> (schema JSON, fastavro-parsed)
        self._readers: dict[str, tuple[Any, Any]] = {}  # reader schema text -> (JSON, parsed)

    async def _writer(self, schema_id: int) -> tuple[Any, Any]:
        cached = self._writers.get(schema_id)
        if cached is None:
            registered = await self.client.get_schema(schema_id)
            if registered.schema_type is not SchemaType.AVRO:
                raise InvalidSchema(f"Schema {schema_id} is {registered.schema_type.value}, not AVRO")
            cached = self._writers[schema_id] = _parse(registered.schema)
        return cached

    def _reader(self, schema: str) -> tuple[Any, Any]:
        cached = self._readers.get(schema)
        if cached is None:
            cached = self._readers[schema] = _parse(schema)
        return cached

    async def schema_id_for(self, subject: str, schema: str | None) -> int:
        """The id to write with: ``schema`` registered (cached) under ``subject``, else the subject's latest."""
        if schema is not None:
            return await self.client.register(subject, schema, SchemaType.AVRO)
        return (await self.client.get_version(subject, "latest")).id

    async def encode(self, subject: str, record: Any, *, schema: str | None = None) -> bytes:
        """A record (fastavro's Python form) as framed Avro binary."""
        return await self._write(await self.schema_id_for(subject, schema), record)

    async def _write(self, schema_id: int, record: Any) -> bytes:
        _, parsed = await self._writer(schema_id)
        try:
            validate(record, parsed, raise_errors=True)
        except ValidationError as exc:
            raise DocumentInvalid(f"Record does not match schema {schema_id}: {exc}") from exc
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, parsed, record)
        return frame(schema_id, buffer.getvalue())

    async def decode(self, data: bytes, *, reader_schema: str | None = None) -> Any:
        """The record, resolved to ``reader_schema`` when given (else read as written)."""
        schema_id, payload = unframe(data)
        _, writer = await self._writer(schema_id)
        reader = self._reader(reader_schema)[1] if reader_schema is not None else None
        try:
            return fastavro.schemaless_reader(io.BytesIO(payload), writer, reader)
        except (fastavro.read.SchemaResolutionError, EOFError, ValueError) as exc:
            raise DocumentInvalid(f"Cannot decode a message written with schema {schema_id}: {exc}") from exc

    async def encode_document(self, subject: str, document: Any, *, schema: str | None = None) -> bytes:
        """A JSON document (decimal strings, RFC 3339 timestamps) as framed Avro binary."""
        schema_id = await self.schema_id_for(subject, schema)
        avro_json, _ = await self._writer(schema_id)
        try:
            record = to_avro_datum(avro_json, document)
        except DatumConversionError as exc:
            raise DocumentInvalid(str(exc)) from exc
        return await self._write(schema_id, record)

    async def decode_document(self, data: bytes, *, reader_schema: str | None = None) -> Any:
        """The JSON document back, in the reader schema's shape when one is given."""
        schema_id, _ = unframe(data)
        record = await self.decode(data, reader_schema=reader_schema)
        avro_json = self._reader(reader_schema)[0] if reader_schema else (await self._writer(schema_id))[0]
        try:
            return from_avro_datum(avro_json, record)
        except DatumConversionError as exc:
            raise DocumentInvalid(str(exc)) from exc


def _parse(schema: str) -> tuple[Any, Any]:
    document = json.loads(schema)
    return document, fastavro.parse_schema(document)
