"""Errors of the JSON Schema <-> Avro mapping.

The registry is a standalone service, so these live here rather than in the hub's tree; the hub translates
them at its boundary. Both are ``ValueError``: the input (a schema or a document) is wrong, not the code.
"""

from __future__ import annotations


class SchemaMappingError(ValueError):
    """A JSON Schema construct outside the documented mapping table; ``pointer`` says where."""

    def __init__(self, pointer: str, message: str) -> None:
        super().__init__(f"{pointer or '/'}: {message}")
        self.pointer = pointer
        self.reason = message


class DatumConversionError(ValueError):
    """A value that does not fit its Avro (or JSON) type; ``pointer`` is the JSON pointer of the value."""

    def __init__(self, pointer: str, message: str) -> None:
        super().__init__(f"{pointer or '/'}: {message}")
        self.pointer = pointer
        self.reason = message
