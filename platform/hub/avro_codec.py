"""The Avro codec of the bus: Confluent framing (magic byte 0, 4-byte big-endian schema id) around exactly one
Avro binary datum (trailing bytes are refused), with the JSON <-> Avro value mapping of
``singlewindow.registry.jsonavro``."""

from __future__ import annotations

import io
import struct
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import fastavro

from singlewindow.platform.errors import InvalidInput, NotFound
from singlewindow.platform.hub.codec import CONTENT_TYPE
from singlewindow.registry.jsonavro import DatumConversionError, from_avro_datum, to_avro_datum

_HEADER = struct.Struct(">bI")
# What fastavro raises on bytes no encoder of the schema wrote (a union branch index out of range is an
# IndexError, a bad enum index a KeyError or IndexError, a huge length an OverflowError or MemoryError).
_UNREADABLE = (ValueError, EOFError, TypeError, IndexError, KeyError, OverflowError, MemoryError)

SchemaById = Callable[[int], Awaitable[Mapping[str, Any]]]


class AvroCodec:
    """Encodes with the current schema of each type; decodes any registered writer schema into it.

    Schemas are parsed once and keep fastavro's parsed marker, so fastavro does not parse them again on
    every message (which cost as much as the write or read itself); documents are converted with the
    schema's compiled converter, optional records and arrays already naming their union branch.
    """

    content_type = CONTENT_TYPE

    def __init__(self, current: Mapping[str, tuple[int, Mapping[str, Any]]], schema_by_id: SchemaById) -> None:
        """``current``: document type -> (schema id, Avro schema); ``schema_by_id`` fetches unknown writers."""
        self._current = {
            name: (schema_id, schema, fastavro.parse_schema(dict(schema)))
            for name, (schema_id, schema) in current.items()
        }
        self._schema_by_id = schema_by_id
        self._writers: dict[int, Any] = {schema_id: parsed for schema_id, _, parsed in self._current.values()}

    def encode(self, document_type: str, document: Mapping[str, Any]) -> bytes:
        schema_id, schema, parsed = self._entry(document_type)
        try:
            datum = to_avro_datum(schema, document, tag_unions=True)
        except DatumConversionError as exc:
            raise InvalidInput(f"{document_type} does not fit its Avro schema: {exc}") from exc
        buffer = io.BytesIO()
        buffer.write(_HEADER.pack(0, schema_id))
        fastavro.schemaless_writer(buffer, parsed, datum)
        return buffer.getvalue()

    async def decode(self, document_type: str, body: bytes) -> dict[str, Any]:
        _, schema, reader = self._entry(document_type)
        if len(body) < _HEADER.size or body[0] != 0:
            raise InvalidInput(f"a {document_type} message must be Avro in the Confluent framing (magic byte 0)")
        _, writer_id = _HEADER.unpack_from(body)
        writer = self._writers.get(writer_id)
        if writer is None:
            try:
                writer = fastavro.parse_schema(dict(await self._schema_by_id(writer_id)))
            except NotFound as exc:
                raise InvalidInput(f"{document_type} message names unknown schema id {writer_id}") from exc
            self._writers[writer_id] = writer
        payload = io.BytesIO(body)
        payload.seek(_HEADER.size)
        try:
            datum = fastavro.schemaless_reader(payload, writer, None if writer is reader else reader)
            document = from_avro_datum(schema, datum)
        except (*_UNREADABLE, DatumConversionError, fastavro.read.SchemaResolutionError) as exc:
            raise InvalidInput(f"cannot read a {document_type} message: {exc}") from exc
        left = len(body) - payload.tell()
        if left:  # one message is one datum: bytes after it were not written by an encoder of this schema
            raise InvalidInput(f"a {document_type} message has {left} bytes after its one Avro datum")
        assert isinstance(document, dict)
        return document

    def _entry(self, document_type: str) -> tuple[int, Mapping[str, Any], Any]:
        try:
            return self._current[document_type]
        except KeyError:
            raise NotFound(f"no registered schema for document type {document_type!r}") from None
