"""The checkpoint signing key (Ed25519): one PEM file, made on first use, and the public keys verify trusts.

The key file is written once (mode 0600, never replaced) so an embedded set-up signs from its first
checkpoint on. Verifying trusts the public half of that key plus any earlier keys listed in the settings
(after a rotation, or on a machine that holds only public keys), never a key named inside a checkpoint.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from singlewindow.platform.errors import ConfigurationError


def key_id(public: Ed25519PublicKey) -> str:
    """A short, stable name of a public key: the first 16 hex digits of the SHA-256 of its raw bytes."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_text(public: Ed25519PublicKey) -> str:
    """The raw public key in base64, as ``audit.trusted_keys`` lists it."""
    return base64.b64encode(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()


def signing_key(path: Path, *, create: bool) -> Ed25519PrivateKey:
    """The key in ``path``; with ``create``, a new one written there first if there is none."""
    if create and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = Ed25519PrivateKey.generate()
        pem = fresh.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            return signing_key(path, create=False)
        with os.fdopen(descriptor, "wb") as out:
            out.write(pem)
        return fresh
    try:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise ConfigurationError(f"audit signing key {path} cannot be read: {type(exc).__name__}") from exc
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ConfigurationError(f"audit signing key {path} is not an Ed25519 key")
    return loaded


def trusted_keys(key_file: Path, listed: Iterable[str]) -> dict[str, Ed25519PublicKey]:
    """Key id -> public key: the key file's (if present) and every base64 raw key in ``listed``."""
    trusted: dict[str, Ed25519PublicKey] = {}
    if key_file.exists():
        own = signing_key(key_file, create=False).public_key()
        trusted[key_id(own)] = own
    for text in listed:
        try:
            public = Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
        except ValueError as exc:
            raise ConfigurationError("audit.trusted_keys: each must be a base64 raw Ed25519 public key") from exc
        trusted[key_id(public)] = public
    return trusted
