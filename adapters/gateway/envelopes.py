"""Seal and open cross-border envelopes and receipts (message_specs/documents/crossborder-{envelope,receipt}).

Sealing: the document's RFC 8785 canonical JSON becomes the envelope's ``payload`` text, ``payloadSha256``
hashes those bytes, and the Ed25519 signature covers the canonical JSON of the whole envelope without its
``signature`` member, so header, payload and hash are all covered.

Opening treats the bytes as coming from an untrusted party, in an order where each step only trusts what the
previous ones established: bounded size, the hub's JSON rules (platform/inputs.py: depth, text, numbers),
the spec's JSON Schema, and only then the sender and receiver, the payload hash, the key, the signature and
the clock. Anything refused raises ``Quarantined`` with the receipt spec's reason code, so the caller can
set the envelope aside and answer with a signed receipt. What needs the gateway's store or the registry
(ENVELOPE_ID_REUSED, UNKNOWN_SCHEMA, PAYLOAD_INVALID against the schema) is the gateway core's to decide.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Literal, get_args

from jsonschema import Draft202012Validator

from singlewindow.adapters.gateway.signing import (
    ALGORITHM,
    KeyLookup,
    KeyVerdict,
    SigningKey,
    canonical,
    parse_timestamp,
    sha256_hex,
    verify,
)
from singlewindow.platform.errors import InvalidInput, PermanentError
from singlewindow.platform.inputs import parse_json
from singlewindow.platform.specs.catalog import Catalog
from singlewindow.platform.specs.validation import FORMAT_CHECKER, schema_problems
from singlewindow.platform.state.common import rfc3339_millis, utcnow

__all__ = [
    "ENVELOPE_TYPE",
    "MAX_ENVELOPE_BYTES",
    "MAX_PAYLOAD_BYTES",
    "MAX_RECEIPT_BYTES",
    "RECEIPT_TYPE",
    "KeyVerdict",
    "OpenedEnvelope",
    "OpenedReceipt",
    "Outcome",
    "Quarantined",
    "ReasonCode",
    "envelope_sha256",
    "open_envelope",
    "open_receipt",
    "parse_envelope",
    "parse_receipt",
    "seal_envelope",
    "seal_receipt",
    "sign_receipt",
]

ENVELOPE_TYPE = "crossborder-envelope"  # the document types of the specs, also the link messages' AMQP type
RECEIPT_TYPE = "crossborder-receipt"

MAX_PAYLOAD_BYTES = 16 * 1024 * 1024  # the envelope spec's payload maxLength
MAX_ENVELOPE_BYTES = MAX_PAYLOAD_BYTES + 256 * 1024  # the payload plus a generous header; refused before parsing
MAX_RECEIPT_BYTES = 256 * 1024  # a receipt has no payload: a few hundred bytes in practice

ReasonCode = Literal[
    "SIGNATURE_INVALID",
    "UNKNOWN_KEY",
    "STALE_TIMESTAMP",
    "PAYLOAD_HASH_MISMATCH",
    "ENVELOPE_ID_REUSED",
    "UNKNOWN_SCHEMA",
    "PAYLOAD_INVALID",
    "NOT_IN_PARTNER_PROFILE",
    "OTHER",
]
Outcome = Literal["ACCEPTED", "QUARANTINED", "REJECTED"]
REASON_CODES: frozenset[str] = frozenset(get_args(ReasonCode))
OUTCOMES: frozenset[str] = frozenset(get_args(Outcome))
MAX_REASON_TEXT = 1000  # the receipt spec's reason.text maxLength

_COPIED = ("documentId", "ucr", "issuedAt", "references")  # the payload's header fields an envelope repeats


class Quarantined(PermanentError):
    """An envelope or receipt refused on arrival. ``code`` is the receipt spec's ReasonCode (not the class's
    error code as elsewhere in the tree), ``text`` the words for the sender's operators."""

    def __init__(self, code: ReasonCode, text: str) -> None:
        super().__init__(f"{code}: {text}")
        self.code = code
        self.text = text[:MAX_REASON_TEXT]

    @property
    def reason(self) -> dict[str, str]:
        """The receipt's ``reason`` member for this refusal."""
        return {"code": self.code, "text": self.text}


@dataclass(frozen=True, slots=True)
class OpenedEnvelope:
    """A verified envelope: signed by ``key_id`` of the expected sender, payload intact, fresh."""

    envelope: dict[str, Any]
    document: dict[str, Any]
    envelope_sha256: str
    key_id: str


@dataclass(frozen=True, slots=True)
class OpenedReceipt:
    """A verified receipt from the expected partner."""

    receipt: dict[str, Any]
    receipt_sha256: str
    key_id: str

    @property
    def envelope_id(self) -> str:
        return str(self.receipt["envelopeId"])

    @property
    def outcome(self) -> Outcome:
        outcome: Outcome = self.receipt["outcome"]
        return outcome

    @property
    def reason(self) -> dict[str, str] | None:
        reason: dict[str, str] | None = self.receipt.get("reason")
        return reason


@cache
def _validator(doc_type: str) -> Draft202012Validator:
    """The spec's schema, read and compiled once per process, with the specs' format checks (date-time)."""
    return Draft202012Validator(Catalog().get(doc_type).json_schema, format_checker=FORMAT_CHECKER)


def envelope_sha256(envelope: Mapping[str, Any]) -> str:
    """SHA-256 hex of the RFC 8785 JSON of the whole envelope, signature included: the identity a redelivery
    shares and a reused envelope id does not (the receipt's ``envelopeSha256``)."""
    return sha256_hex(canonical(envelope))


def _signed_bytes(message: Mapping[str, Any]) -> bytes:
    return canonical({name: value for name, value in message.items() if name != "signature"})


def _signed(message: dict[str, Any], key: SigningKey) -> dict[str, Any]:
    message["signature"] = {"algorithm": ALGORITHM, "keyId": key.key_id, "value": key.sign(_signed_bytes(message))}
    return message


def _must_be_valid(doc_type: str, message: Mapping[str, Any]) -> None:
    """A message we made that breaks its spec is our bug, not something to send the partner."""
    problems = schema_problems(_validator(doc_type), message)
    if problems:
        raise InvalidInput(f"the {doc_type} would not be valid ({len(problems)} problems)", problems)


def seal_envelope(
    document: Mapping[str, Any],
    *,
    document_type: str,
    subject: str,
    schema_version: int,
    schema_fingerprint: str,
    sender: Mapping[str, str],
    receiver: Mapping[str, str],
    sequence: int,
    key: SigningKey,
    envelope_id: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The signed envelope carrying ``document`` (valid against the crossborder-envelope spec).

    ``sender``/``receiver`` are HubAddress objects (``{"country": "KZ", "hubId": "kz-nsw"}``); ``sequence``
    is the next partnerSequence on this link. InvalidInput when the document lacks what the envelope repeats
    (documentId, ucr, issuedAt) or the result would break the spec.
    """
    try:
        payload = canonical(document)
    except ValueError as exc:  # rfc8785: an integer beyond IEEE 754's safe range, a non-finite number
        raise InvalidInput(f"the document has no canonical JSON form: {exc}") from exc
    envelope: dict[str, Any] = {
        "documentId": document.get("documentId"),
        "ucr": document.get("ucr"),
        "issuedAt": document.get("issuedAt"),
        "references": list(document.get("references", [])),
        "envelopeId": envelope_id or str(uuid.uuid4()),
        "sender": dict(sender),
        "receiver": dict(receiver),
        "partnerSequence": sequence,
        "documentType": document_type,
        "subject": subject,
        "schemaVersion": schema_version,
        "schemaFingerprint": schema_fingerprint,
        "payload": payload.decode("utf-8"),
        "payloadSha256": sha256_hex(payload),
        "createdAt": rfc3339_millis(now or utcnow()),
    }
    sealed = _signed(envelope, key)
    _must_be_valid(ENVELOPE_TYPE, sealed)
    return sealed


def sign_receipt(
    envelope: Mapping[str, Any],
    *,
    outcome: Outcome,
    key: SigningKey,
    received_at: datetime,
    reason: Mapping[str, str] | None = None,
    receipt_id: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The signed receipt answering ``envelope`` (a schema-valid one, e.g. ``parse_envelope``'s result).

    Sender and receiver are the envelope's swapped. ACCEPTED takes no reason; QUARANTINED and REJECTED need
    one (``{"code", "text"}``, e.g. ``Quarantined.reason``), as the receipt spec says.
    """
    if outcome not in OUTCOMES:
        raise InvalidInput(f"unknown receipt outcome {outcome!r}")
    if (outcome == "ACCEPTED") != (reason is None):
        raise InvalidInput("a receipt has a reason exactly when its outcome is not ACCEPTED")
    receipt: dict[str, Any] = {name: envelope[name] for name in _COPIED}
    receipt |= {
        "receiptId": receipt_id or str(uuid.uuid4()),
        "envelopeId": envelope["envelopeId"],
        "envelopeSha256": envelope_sha256(envelope),
        "sender": dict(envelope["receiver"]),
        "receiver": dict(envelope["sender"]),
        "partnerSequence": envelope["partnerSequence"],
        "receivedAt": rfc3339_millis(received_at),
        "outcome": outcome,
    }
    if reason is not None:
        if reason.get("code") not in REASON_CODES:
            raise InvalidInput(f"unknown receipt reason code {reason.get('code')!r}")
        receipt["reason"] = {"code": reason["code"], "text": reason["text"][:MAX_REASON_TEXT]}
    receipt["createdAt"] = rfc3339_millis(now or utcnow())
    sealed = _signed(receipt, key)
    _must_be_valid(RECEIPT_TYPE, sealed)
    return sealed


seal_receipt = sign_receipt  # the same operation under the name that pairs with seal_envelope


def _parse(raw: bytes, doc_type: str, max_bytes: int) -> dict[str, Any]:
    """Bounded, safely parsed, schema-valid: the only shape later checks may assume."""
    what = "envelope" if doc_type == ENVELOPE_TYPE else "receipt"
    if len(raw) > max_bytes:
        raise Quarantined("OTHER", f"malformed {what}: {len(raw)} bytes, more than the {max_bytes} allowed")
    try:
        message = parse_json(raw)
    except InvalidInput as exc:
        first = exc.problems[0] if exc.problems else None
        where = f" at {first.path or '/'}: {first.message}" if first else ""
        raise Quarantined("OTHER", f"malformed {what}: {exc.message}{where}") from None
    if not isinstance(message, dict):
        raise Quarantined("OTHER", f"malformed {what}: not a JSON object")
    problems = schema_problems(_validator(doc_type), message)
    if problems:
        first = problems[0]
        raise Quarantined(
            "OTHER", f"malformed {what}: not valid against {doc_type} at {first.path or '/'}: {first.message}"
        )
    return message


def parse_envelope(raw: bytes, *, max_bytes: int = MAX_ENVELOPE_BYTES) -> dict[str, Any]:
    """The envelope in ``raw`` if it is bounded, JSON under the hub's rules and valid against the spec, NOT yet
    verified: enough to look up a redelivery by envelopeId and envelope_sha256. Quarantined("OTHER") otherwise."""
    return _parse(raw, ENVELOPE_TYPE, max_bytes)


def parse_receipt(raw: bytes, *, max_bytes: int = MAX_RECEIPT_BYTES) -> dict[str, Any]:
    """Like parse_envelope, for a receipt; also enforces the spec's reason rule that JSON Schema cannot."""
    receipt = _parse(raw, RECEIPT_TYPE, max_bytes)
    if (receipt["outcome"] == "ACCEPTED") == ("reason" in receipt):
        raise Quarantined("OTHER", "malformed receipt: a reason is required exactly when outcome is not ACCEPTED")
    return receipt


def _address(address: Mapping[str, str]) -> str:
    return f"{address.get('country')}/{address.get('hubId')}"


def _check_parties(message: Mapping[str, Any], sender: Mapping[str, str], receiver: Mapping[str, str]) -> None:
    for role, expected in (("sender", sender), ("receiver", receiver)):
        if dict(message[role]) != dict(expected):
            raise Quarantined(
                "NOT_IN_PARTNER_PROFILE", f"{role} is {_address(message[role])}, expected {_address(expected)}"
            )


def _check_signature(message: Mapping[str, Any], verify_key: KeyLookup, now: datetime) -> str:
    """The signing key id once the key is valid now and the signature is its; Quarantined otherwise.

    Validity is judged at ``now``, not at the claimed createdAt, which is not yet trusted here: a key past its
    validTo (a rotation's overlap is over) verifies nothing, whatever the envelope says about its age.
    """
    key_id: str = message["signature"]["keyId"]
    found = verify_key(key_id, now)
    if found.status == "unknown":
        raise Quarantined("UNKNOWN_KEY", f"key {key_id} is not in the partner profile")
    if found.status == "expired":
        when = f" at {rfc3339_millis(found.valid_to)}" if found.valid_to else ""
        raise Quarantined("UNKNOWN_KEY", f"key {key_id} expired{when}")
    if found.status == "not-yet-valid":
        when = f" before {rfc3339_millis(found.valid_from)}" if found.valid_from else " yet"
        raise Quarantined("UNKNOWN_KEY", f"key {key_id} is not valid{when}")
    assert found.public_key is not None
    try:
        signed = _signed_bytes(message)
    except ValueError:  # rfc8785 refuses it (an integer beyond 2**53): nothing we could have signed
        raise Quarantined("SIGNATURE_INVALID", "the message has no canonical JSON form to verify") from None
    if not verify(found.public_key, message["signature"]["value"], signed):
        raise Quarantined("SIGNATURE_INVALID", f"the signature does not verify with key {key_id}")
    return key_id


def _check_clock(message: Mapping[str, Any], now: datetime, clock_skew: timedelta, max_age: timedelta | None) -> None:
    created_at = message["createdAt"]
    created = parse_timestamp(created_at)
    latest, oldest = now + clock_skew, now - (clock_skew if max_age is None else max_age)
    if created > latest:
        raise Quarantined("STALE_TIMESTAMP", f"createdAt {created_at} is after {rfc3339_millis(latest)}")
    if created < oldest:
        raise Quarantined("STALE_TIMESTAMP", f"createdAt {created_at} is before {rfc3339_millis(oldest)}")


def open_envelope(
    raw: bytes,
    *,
    expected_sender: Mapping[str, str],
    expected_receiver: Mapping[str, str],
    verify_key: KeyLookup,
    clock_skew: timedelta,
    now: datetime | None = None,
    max_age: timedelta | None = None,
    max_bytes: int = MAX_ENVELOPE_BYTES,
) -> OpenedEnvelope:
    """The verified envelope in ``raw``; Quarantined with the reason code otherwise.

    Checks, in order: size, JSON, spec (OTHER); sender and receiver (NOT_IN_PARTNER_PROFILE); payload hash
    (PAYLOAD_HASH_MISMATCH); key id known and valid now (UNKNOWN_KEY); signature (SIGNATURE_INVALID);
    createdAt within ``now`` +- ``clock_skew`` (STALE_TIMESTAMP; ``max_age``, when given, replaces the skew
    on the past side, for links that may hold messages back); payload a JSON object under the hub's rules
    whose documentId, ucr, issuedAt and references are the header's (PAYLOAD_INVALID).
    """
    now = now or utcnow()
    envelope = parse_envelope(raw, max_bytes=max_bytes)
    _check_parties(envelope, expected_sender, expected_receiver)
    payload = envelope["payload"].encode("utf-8")
    if sha256_hex(payload) != envelope["payloadSha256"]:
        raise Quarantined("PAYLOAD_HASH_MISMATCH", "payloadSha256 is not the SHA-256 of the payload")
    key_id = _check_signature(envelope, verify_key, now)
    _check_clock(envelope, now, clock_skew, max_age)
    try:
        document = parse_json(payload)
    except InvalidInput as exc:
        raise Quarantined("PAYLOAD_INVALID", f"the payload is not acceptable JSON: {exc.message}") from None
    if not isinstance(document, dict):
        raise Quarantined("PAYLOAD_INVALID", "the payload is not a JSON object")
    for name in _COPIED:
        if document.get(name, [] if name == "references" else None) != envelope[name]:
            raise Quarantined("PAYLOAD_INVALID", f"the envelope's {name} is not the payload's")
    return OpenedEnvelope(envelope, document, envelope_sha256(envelope), key_id)


def open_receipt(
    raw: bytes,
    *,
    expected_sender: Mapping[str, str],
    expected_receiver: Mapping[str, str],
    verify_key: KeyLookup,
    clock_skew: timedelta,
    now: datetime | None = None,
    max_age: timedelta | None = None,
    max_bytes: int = MAX_RECEIPT_BYTES,
) -> OpenedReceipt:
    """The verified receipt in ``raw`` (``expected_sender`` is the partner, who issues it); Quarantined with
    the reason code otherwise, checked in open_envelope's order (a receipt has no payload)."""
    now = now or utcnow()
    receipt = parse_receipt(raw, max_bytes=max_bytes)
    _check_parties(receipt, expected_sender, expected_receiver)
    key_id = _check_signature(receipt, verify_key, now)
    _check_clock(receipt, now, clock_skew, max_age)
    return OpenedReceipt(receipt, envelope_sha256(receipt), key_id)
