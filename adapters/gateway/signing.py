"""Ed25519 signing for the cross-border link: our signing key, partners' public keys, canonical bytes.

Provenance between single windows comes from these signatures alone (the Shovel strips the AMQP user), so the
rules are strict and few: public keys travel as base64 of the raw 32 bytes (the partner profile's
``publicKey``), signatures as base64 of the raw 64 bytes (88 characters, padded), and what is signed is always
RFC 8785 canonical JSON, so both sides hash the same bytes whatever their JSON library.
A private key never appears in a repr, a log line or an error message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)

from singlewindow.platform.errors import InvalidInput, Problem

ALGORITHM = "ED25519"  # the envelope spec's Signature.algorithm enum; a new algorithm is a new schema version
PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64

KeyStatus = Literal["valid", "unknown", "expired", "not-yet-valid"]


def canonical(value: Any) -> bytes:
    """RFC 8785 canonical JSON of ``value``: the bytes every signature and hash on the link is taken over."""
    data = rfc8785.dumps(value)
    assert isinstance(data, bytes)
    return data


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _strict_b64(text: str, size: int, what: str, path: str) -> bytes:
    """Base64 (standard alphabet, padded) of exactly ``size`` bytes, spelled the one canonical way."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raw = b""
    if len(raw) != size or base64.b64encode(raw).decode("ascii") != text:
        raise InvalidInput(
            f"{what} must be base64 of {size} bytes", [Problem(path, "format", f"base64 of {size} raw bytes")]
        )
    return raw


def encode_public_key(raw: bytes) -> str:
    """The profile spelling of a public key: base64 of its raw 32 bytes."""
    return base64.b64encode(raw).decode("ascii")


def decode_public_key(text: str, path: str = "/publicKey") -> bytes:
    """The raw 32 bytes of a profile ``publicKey``; InvalidInput unless it is a usable Ed25519 public key."""
    raw = _strict_b64(text, PUBLIC_KEY_BYTES, "an Ed25519 public key", path)
    try:
        Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise InvalidInput("not an Ed25519 public key", [Problem(path, "format", "an Ed25519 public key")]) from exc
    return raw


def verify(public_key: bytes, signature: str, data: bytes) -> bool:
    """Whether ``signature`` (base64, 88 characters) is the Ed25519 signature of ``data`` by ``public_key``.

    False for any malformed signature or key too: to a receiver they all mean the same, "not signed by them".
    """
    try:
        raw = _strict_b64(signature, SIGNATURE_BYTES, "a signature", "/signature/value")
        Ed25519PublicKey.from_public_bytes(public_key).verify(raw, data)
    except (InvalidInput, InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True, slots=True)
class SigningKey:
    """One of our private keys with the id the partner knows it by (``signature.keyId``)."""

    key_id: str
    private_key: Ed25519PrivateKey = field(repr=False, compare=False)

    @classmethod
    def generate(cls, key_id: str) -> SigningKey:
        return cls(key_id, Ed25519PrivateKey.generate())

    @classmethod
    def from_pem(cls, key_id: str, pem: bytes) -> SigningKey:
        """A key from PEM PKCS#8 (unencrypted: the key file's mode 0600 is its protection)."""
        try:
            key = load_pem_private_key(pem, password=None)
        except (ValueError, TypeError) as exc:  # never echo the file's content
            raise InvalidInput(f"key {key_id}: not a PEM PKCS#8 private key") from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise InvalidInput(f"key {key_id}: not an Ed25519 private key")
        return cls(key_id, key)

    def to_pem(self) -> bytes:
        return self.private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())

    @property
    def public_key(self) -> bytes:
        """The raw 32 bytes of the public half."""
        return self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def public_key_b64(self) -> str:
        return encode_public_key(self.public_key)

    def sign(self, data: bytes) -> str:
        """The Ed25519 signature of ``data``, base64 (88 characters)."""
        return base64.b64encode(self.private_key.sign(data)).decode("ascii")


@dataclass(frozen=True, slots=True)
class KeyVerdict:
    """What the partner profile says about a key id at an instant: the bytes to verify with when it is valid,
    and the validity bounds, so a refusal can say when the key expired or starts."""

    status: KeyStatus
    public_key: bytes | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None

    def __post_init__(self) -> None:
        if (self.status == "valid") != (self.public_key is not None):
            raise ValueError("a valid key verdict carries the public key, any other verdict none")


KeyLookup = Callable[[str, datetime], KeyVerdict]


def parse_timestamp(text: str) -> datetime:
    """An RFC 3339 timestamp of the specs (``2026-12-07T10:00:00.123Z``) as an aware UTC datetime.

    ValueError for one without a zone: read as local time it would shift a key's validity by hours.
    """
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return parsed.astimezone(UTC)


def verdict(entries: Iterable[Mapping[str, Any]], key_id: str, at: datetime) -> KeyVerdict:
    """The verdict on ``key_id`` at ``at`` from profile key entries (keyId, publicKey, validFrom, validTo);
    validFrom is inclusive, validTo exclusive."""
    for entry in entries:
        if entry.get("keyId") != key_id:
            continue
        valid_from, valid_to = parse_timestamp(entry["validFrom"]), parse_timestamp(entry["validTo"])
        if at < valid_from:
            return KeyVerdict("not-yet-valid", None, valid_from, valid_to)
        if at >= valid_to:
            return KeyVerdict("expired", None, valid_from, valid_to)
        return KeyVerdict("valid", decode_public_key(entry["publicKey"]), valid_from, valid_to)
    return KeyVerdict("unknown")


def key_lookup(entries: Iterable[Mapping[str, Any]]) -> KeyLookup:
    """A ``verify_key`` for open_envelope/open_receipt over a fixed list of profile key entries."""
    kept = [dict(entry) for entry in entries]
    return lambda key_id, at: verdict(kept, key_id, at)
