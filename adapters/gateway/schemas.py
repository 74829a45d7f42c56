"""The schema fingerprint an envelope names: SHA-256 of the RFC 8785 canonical JSON of the document type's
shipped JSON Schema, so both single windows can tell they mean the same schema without a shared registry."""

from __future__ import annotations

import functools
import hashlib
import json

import rfc8785

from singlewindow import message_specs
from singlewindow.platform.errors import NotFound


@functools.cache
def fingerprint(document_type: str) -> str:
    path = message_specs.root() / "documents" / document_type / "schema.json"
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFound(f"no document type {document_type!r} in message_specs") from None
    return hashlib.sha256(rfc8785.dumps(schema)).hexdigest()
