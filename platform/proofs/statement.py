"""The signed status statement and its compact QR payload.

The payload is ``NSW1.<body>.<signature>``: ``body`` is base64url (no padding) of the RFC 8785 canonical JSON
of the statement with short keys, ``signature`` base64url of the hub's raw 64-byte Ed25519 signature over
exactly those canonical bytes. Short keys and no padding keep it near 300 characters, a QR code of version
13 or so that a phone reads from a printed page. The payload comes from a paper or a camera, so it is read
as hostile: bounded length, a fixed alphabet, exact keys and types, before any signature is checked.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from singlewindow.adapters.gateway.signing import canonical
from singlewindow.platform.errors import InvalidInput, Problem
from singlewindow.platform.inputs import check_text

PREFIX = "NSW1"
MAX_PAYLOAD_CHARS = 1024  # a real one is ~300; anything far longer is not ours and is not decoded
_B64URL = re.compile(r"^[A-Za-z0-9_-]+$")
_SHORT_KEYS = {
    "submissionId": "id",
    "version": "v",
    "ucr": "ucr",
    "status": "st",
    "statusSequence": "seq",
    "issuedAt": "at",
    "keyId": "kid",
}
_INTEGER_FIELDS = frozenset({"version", "statusSequence"})


@dataclass(frozen=True, slots=True)
class StatusStatement:
    """What the hub vouches for: this submission's version had this status (at this sequence) when issued."""

    submission_id: str
    version: int
    ucr: str
    status: str
    status_sequence: int
    issued_at: str  # RFC 3339, UTC milliseconds, as every timestamp of the specs
    key_id: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "submissionId": self.submission_id,
            "version": self.version,
            "ucr": self.ucr,
            "status": self.status,
            "statusSequence": self.status_sequence,
            "issuedAt": self.issued_at,
            "keyId": self.key_id,
        }

    def signed_bytes(self) -> bytes:
        """The canonical JSON (short keys) the signature covers and the payload carries."""
        return canonical({_SHORT_KEYS[name]: value for name, value in self.as_dict().items()})


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64url(text: str) -> bytes:
    if not _B64URL.fullmatch(text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_payload(statement: StatusStatement, signature: bytes) -> str:
    return f"{PREFIX}.{_b64url(statement.signed_bytes())}.{_b64url(signature)}"


def _malformed(detail: str) -> InvalidInput:
    return InvalidInput(f"not a status proof: {detail}", [Problem("/payload", "format", detail)])


def _statement(fields: Any) -> StatusStatement:
    if not isinstance(fields, dict) or set(fields) != set(_SHORT_KEYS.values()):
        raise _malformed(f"the statement must have exactly the keys {sorted(_SHORT_KEYS.values())}")
    values: dict[str, Any] = {}
    for name, short in _SHORT_KEYS.items():
        value = fields[short]
        wanted = int if name in _INTEGER_FIELDS else str
        if type(value) is not wanted:  # bool is an int subclass: exact types only
            raise _malformed(f"{short} must be {'an integer' if wanted is int else 'a string'}")
        if isinstance(value, str):
            check_text(value, "/payload")
        values[name] = value
    return StatusStatement(
        values["submissionId"],
        values["version"],
        values["ucr"],
        values["status"],
        values["statusSequence"],
        values["issuedAt"],
        values["keyId"],
    )


def decode_payload(payload: object) -> tuple[StatusStatement, bytes]:
    """The statement and the raw signature; InvalidInput (at ``/payload``) for anything not of our form.

    Whether the signature is genuine is not decided here: a decodable payload may still be forged.
    """
    if not isinstance(payload, str) or not payload:
        raise InvalidInput("payload is required", [Problem("/payload", "required", "the text of the QR code")])
    payload = payload.strip()
    if len(payload) > MAX_PAYLOAD_CHARS:
        raise _malformed(f"longer than {MAX_PAYLOAD_CHARS} characters")
    parts = payload.split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise _malformed(f"expected {PREFIX}.<statement>.<signature>")
    try:
        body, signature = _unb64url(parts[1]), _unb64url(parts[2])
        fields = json.loads(body.decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        raise _malformed("the statement or the signature is not base64url of JSON") from None
    statement = _statement(fields)
    if statement.signed_bytes() != body:
        raise _malformed("the statement is not in canonical form")
    return statement, signature
