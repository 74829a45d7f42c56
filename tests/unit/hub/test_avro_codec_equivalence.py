"""The bus codec writes and reads exactly as before it reused fastavro's parsed schemas and tagged unions.

``encode_before``/``decode_before`` are the codec's previous bodies (the schema parsed without fastavro's
marker, the plain datum, the reader schema always passed): for every valid example of every shipped type
the bytes are the same, and for seeded mutations of real messages (including bytes written with another
registered schema) decoding gives the same document or the same InvalidInput message.
"""

from __future__ import annotations

import io
import random
import struct
from typing import Any

import fastavro
import pytest

from singlewindow.platform.errors import InvalidInput, NotFound
from singlewindow.platform.hub.avro_codec import AvroCodec
from singlewindow.platform.specs import Catalog, read_json
from singlewindow.registry.jsonavro import DatumConversionError, from_avro_datum, to_avro_datum

CATALOG = Catalog()
HEADER = struct.Struct(">bI")
UNREADABLE = (ValueError, EOFError, TypeError, IndexError, KeyError, OverflowError, MemoryError)
OLDER_ID = 2  # a writer schema other than the current one: a consignment schema without one optional field


def encode_before(schema: Any, document: Any) -> bytes:
    buffer = io.BytesIO()
    buffer.write(HEADER.pack(0, 1))
    fastavro.schemaless_writer(
        buffer, fastavro.parse_schema(dict(schema), _write_hint=False), to_avro_datum(schema, document)
    )
    return buffer.getvalue()


def decode_before(document_type: str, schema: Any, writers: dict[int, Any], body: bytes) -> Any:
    reader = fastavro.parse_schema(dict(schema), _write_hint=False)
    if len(body) < HEADER.size or body[0] != 0:
        return f"a {document_type} message must be Avro in the Confluent framing (magic byte 0)"
    _, writer_id = HEADER.unpack_from(body)
    if writer_id not in writers:
        return f"{document_type} message names unknown schema id {writer_id}"
    payload = io.BytesIO(body[HEADER.size :])
    try:
        datum = fastavro.schemaless_reader(
            payload, fastavro.parse_schema(dict(writers[writer_id]), _write_hint=False), reader
        )
        document = from_avro_datum(schema, datum)
    except (*UNREADABLE, DatumConversionError, fastavro.read.SchemaResolutionError) as exc:
        return f"cannot read a {document_type} message: {exc}"
    left = len(body) - HEADER.size - payload.tell()
    if left:
        return f"a {document_type} message has {left} bytes after its one Avro datum"
    return document


def older(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema without its last optional string field, as an earlier registered version would be."""
    fields = list(schema["fields"])
    optional = max(i for i, field in enumerate(fields) if field["type"] == ["null", "string"])
    return schema | {"fields": fields[:optional] + fields[optional + 1 :]}


def codec_for(document_type: str, writers: dict[int, Any]) -> AvroCodec:
    async def schema_by_id(schema_id: int) -> Any:
        if schema_id not in writers:
            raise NotFound(f"schema {schema_id}")
        return writers[schema_id]

    return AvroCodec({document_type: (1, CATALOG.get(document_type).avro_schema)}, schema_by_id)


@pytest.mark.parametrize("document_type", CATALOG.names())
def test_every_valid_example_encodes_to_the_same_bytes(document_type: str) -> None:
    schema = CATALOG.get(document_type).avro_schema
    codec = codec_for(document_type, {1: schema})
    for path in CATALOG.get(document_type).valid_examples:
        document = read_json(path)
        assert codec.encode(document_type, document) == encode_before(schema, document)


async def outcome(codec: AvroCodec, document_type: str, body: bytes) -> Any:
    try:
        return await codec.decode(document_type, body)
    except InvalidInput as exc:
        return exc.message


@pytest.mark.parametrize("document_type", ["consignment", "goods-declaration", "delivery-report", "view-customs"])
async def test_mangled_and_older_messages_decode_as_before(document_type: str) -> None:
    schema = CATALOG.get(document_type).avro_schema
    writers = {1: schema, OLDER_ID: older(schema)}
    codec = codec_for(document_type, writers)
    rng = random.Random(14)
    bodies = []
    for path in CATALOG.get(document_type).valid_examples:
        document = read_json(path)
        body = codec.encode(document_type, document)
        old = older(schema)
        written = io.BytesIO()
        written.write(HEADER.pack(0, OLDER_ID))
        trimmed = {k: v for k, v in document.items() if k in {f["name"] for f in old["fields"]}}
        fastavro.schemaless_writer(written, fastavro.parse_schema(old), to_avro_datum(old, trimmed))
        bodies += [body, written.getvalue(), body + b"\x00", b"\x01" + body[1:], HEADER.pack(0, 9) + body[5:]]
        for _ in range(60):
            mangled = bytearray(rng.choice([body, written.getvalue()]))
            for _ in range(rng.randint(1, 4)):
                mangled[rng.randrange(5, len(mangled))] = rng.randrange(256)
            bodies.append(bytes(mangled))
    kinds = set()
    for body in bodies:
        expected = decode_before(document_type, schema, writers, body)
        assert await outcome(codec, document_type, body) == expected
        kinds.add(type(expected).__name__)
    assert kinds == {"dict", "str"}
