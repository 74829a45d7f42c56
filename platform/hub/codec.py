"""How documents travel on the bus: Avro binary in the Confluent framing, schemas from the registry.

The hub encodes inside database transactions (an outbox row is written with the state change), so encoding
is synchronous: the writer schemas of every document type the hub sends are fetched once, at start-up.
Decoding is asynchronous because a message may carry a schema id this process has not seen yet (an agency
on a newer or older spec version); the reader schema is always the hub's own for that type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from singlewindow.registry.loader import spec_subject
from singlewindow.registry.models import SchemaType

CONTENT_TYPE = "application/vnd.nsw.avro+confluent"


class DocumentCodec(Protocol):
    content_type: str

    def encode(self, document_type: str, document: Mapping[str, Any]) -> bytes:
        """Framed Avro of ``document`` under the current schema of ``document_type``."""

    async def decode(self, document_type: str, body: bytes) -> dict[str, Any]:
        """The JSON document ``body`` carries, read with the hub's schema of ``document_type``.

        Raises ``InvalidInput`` for a body that is not framed Avro of a known schema, or that has bytes after
        its one datum (they would be ignored by the reader, so a body could carry what no encoder wrote).
        """


def avro_subject(document_type: str) -> str:
    """Registry subject of a document type's Avro schema (the loader's naming rule)."""
    return spec_subject(document_type, SchemaType.AVRO)
