"""Detached Ed25519 signatures over a profile's RFC 8785 canonical JSON.

The agency signs with a key only it holds; the hub trusts the public keys an operator registered for that
agency (``nsw risk key add``). A signature is base64 of the raw 64 bytes; a key is base64 of the raw 32.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from singlewindow.platform.errors import ConfigurationError, InvalidInput, Problem
from singlewindow.platform.state.canonical import canonical_json


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_text(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def parse_public(text: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except (ValueError, binascii.Error) as exc:
        raise InvalidInput(
            "not a base64 raw Ed25519 public key", [Problem("/publicKey", "format", "32 bytes")]
        ) from exc


def private_pem(private: Ed25519PrivateKey) -> bytes:
    return private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_private(path: Path) -> Ed25519PrivateKey:
    try:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ConfigurationError(f"risk signing key {path} cannot be read: {type(exc).__name__}") from exc
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ConfigurationError(f"risk signing key {path} is not an Ed25519 key")
    return loaded


def sign(private: Ed25519PrivateKey, document: Mapping[str, Any]) -> str:
    return base64.b64encode(private.sign(canonical_json(document))).decode()


def verified(trusted: Mapping[str, Ed25519PublicKey], document: Mapping[str, Any], signature: str | None) -> str:
    """The id of the trusted key whose signature ``signature`` is; InvalidInput when unsigned or signed by
    no key in ``trusted`` (the owner agency's keys only: another agency's key does not count)."""
    if not signature:
        raise InvalidInput("the risk profile is not signed", [Problem("/signature", "required", "a signature")])
    try:
        raw = base64.b64decode(signature, validate=True)
    except (ValueError, binascii.Error) as exc:
        raise InvalidInput("the signature is not base64", [Problem("/signature", "format", "base64")]) from exc
    payload = canonical_json(document)
    for identifier, public in trusted.items():
        try:
            public.verify(raw, payload)
        except InvalidSignature:
            continue
        return identifier
    raise InvalidInput(
        "the signature is not from a key trusted for the profile's agency",
        [Problem("/signature", "signature", "not verified by any of the agency's registered keys")],
    )
