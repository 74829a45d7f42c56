"""The Confluent wire framing: magic byte 0, the schema id as a 4-byte big-endian integer, the payload."""

from __future__ import annotations

import struct

from singlewindow.registry.errors import WireFormatError

MAGIC_BYTE = 0
_HEADER = struct.Struct(">bI")
HEADER_SIZE = _HEADER.size


def frame(schema_id: int, payload: bytes) -> bytes:
    if not 0 <= schema_id <= 0xFFFFFFFF:
        raise WireFormatError(f"Schema id {schema_id} does not fit in 4 bytes")
    return _HEADER.pack(MAGIC_BYTE, schema_id) + payload


def unframe(data: bytes) -> tuple[int, bytes]:
    """(schema id, payload); anything without the header is refused with the reason."""
    if len(data) < HEADER_SIZE:
        raise WireFormatError(f"Message of {len(data)} bytes is shorter than the {HEADER_SIZE}-byte header")
    magic, schema_id = _HEADER.unpack_from(data)
    if magic != MAGIC_BYTE:
        raise WireFormatError(f"Unknown magic byte {magic}; expected {MAGIC_BYTE} (Confluent framing)")
    return schema_id, bytes(data[HEADER_SIZE:])
