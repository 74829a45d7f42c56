"""Detached Ed25519 signatures over the canonical JSON: only a key trusted for the profile's own agency
verifies it; a missing, foreign or stale signature is refused."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from singlewindow.platform.errors import InvalidInput
from singlewindow.platform.risk.signing import key_id, sign, verified

from .conftest import profile_document


def test_the_signature_verifies_whatever_the_key_order_of_the_json(key: Ed25519PrivateKey) -> None:
    document = profile_document("customs")
    signature = sign(key, document)
    reordered = dict(reversed(list(document.items())))
    assert verified({key_id(key.public_key()): key.public_key()}, reordered, signature) == key_id(key.public_key())


@pytest.mark.parametrize("signature", [None, "", "not base64!"])
def test_an_unsigned_profile_is_refused(key: Ed25519PrivateKey, signature: str | None) -> None:
    with pytest.raises(InvalidInput) as refused:
        verified({key_id(key.public_key()): key.public_key()}, profile_document("customs"), signature)
    assert refused.value.problems[0].path == "/signature"


def test_a_profile_signed_with_another_key_or_changed_after_signing_is_refused(key: Ed25519PrivateKey) -> None:
    other = Ed25519PrivateKey.generate()
    document = profile_document("customs")
    trusted = {key_id(key.public_key()): key.public_key()}
    with pytest.raises(InvalidInput, match="not from a key trusted"):
        verified(trusted, document, sign(other, document))
    changed = {**document, "thresholds": {"documentCheck": 90, "physicalInspection": 95}}
    with pytest.raises(InvalidInput, match="not from a key trusted"):
        verified(trusted, changed, sign(key, document))
    with pytest.raises(InvalidInput):
        verified({}, document, sign(key, document))  # the agency has no trusted key at all
