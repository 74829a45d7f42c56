"""Ed25519 on the cross-border link: the spellings both hubs must agree on, and refusals that leak nothing."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from singlewindow.adapters.gateway.signing import (
    KeyVerdict,
    SigningKey,
    canonical,
    decode_public_key,
    encode_public_key,
    key_lookup,
    parse_timestamp,
    verify,
)
from singlewindow.platform.errors import InvalidInput

NOW = datetime(2026, 12, 7, 10, 0, 0, 123000, tzinfo=UTC)


def test_a_signature_is_88_base64_characters_and_verifies_only_the_signed_bytes() -> None:
    key = SigningKey.generate("kz-nsw-2026-01")
    signature = key.sign(b"canonical bytes")

    assert len(signature) == 88 and signature.endswith("==")
    assert verify(key.public_key, signature, b"canonical bytes")
    assert not verify(key.public_key, signature, b"canonical bytes!")
    assert not verify(SigningKey.generate("other").public_key, signature, b"canonical bytes")


@pytest.mark.parametrize("signature", ["", "not base64 at all", "A" * 88, base64.b64encode(b"x" * 63).decode()])
def test_a_malformed_signature_does_not_verify(signature: str) -> None:
    key = SigningKey.generate("kz-nsw-2026-01")
    assert not verify(key.public_key, signature, b"data")


def test_the_public_key_travels_as_base64_of_its_raw_32_bytes() -> None:
    key = SigningKey.generate("kz-nsw-2026-01")

    assert len(key.public_key) == 32
    assert base64.b64decode(key.public_key_b64) == key.public_key
    assert decode_public_key(encode_public_key(key.public_key)) == key.public_key


@pytest.mark.parametrize(
    "text",
    [
        "",
        "%%%%",
        base64.b64encode(b"\x01" * 31).decode(),  # too short
        base64.b64encode(b"\x01" * 33).decode(),  # too long
        base64.b64encode(b"\x01" * 32).decode().rstrip("="),  # unpadded: not the one spelling
    ],
)
def test_a_bad_public_key_is_refused_with_a_pointer(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        decode_public_key(text)
    assert refused.value.problems[0].path == "/publicKey"


def test_pem_round_trip_keeps_the_key() -> None:
    key = SigningKey.generate("kz-nsw-2026-01")
    again = SigningKey.from_pem("kz-nsw-2026-01", key.to_pem())

    assert again.public_key == key.public_key
    assert b"PRIVATE KEY" in key.to_pem()
    assert verify(key.public_key, again.sign(b"x"), b"x")


def test_key_material_never_shows_in_a_repr_or_an_error() -> None:
    key = SigningKey.generate("kz-nsw-2026-01")
    pem = key.to_pem()

    assert repr(key) == "SigningKey(key_id='kz-nsw-2026-01')"
    with pytest.raises(InvalidInput) as refused:
        SigningKey.from_pem("kz-nsw-2026-01", pem[:-40] + b"garbage\n-----END PRIVATE KEY-----\n")
    assert "garbage" not in str(refused.value) and "MC4C" not in str(refused.value)


def test_a_key_of_another_algorithm_is_refused() -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    pem = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(InvalidInput, match="not an Ed25519"):
        SigningKey.from_pem("k", pem)


def test_canonical_json_is_rfc8785() -> None:
    assert canonical({"b": 1, "a": [1.0, "é"]}) == '{"a":[1,"é"],"b":1}'.encode()


def test_key_verdicts_follow_the_validity_window() -> None:
    key = SigningKey.generate("cn-sw-2026-01")
    lookup = key_lookup(
        [
            {
                "keyId": "cn-sw-2026-01",
                "publicKey": key.public_key_b64,
                "validFrom": "2026-12-01T00:00:00.000Z",
                "validTo": "2026-12-31T00:00:00.000Z",
            }
        ]
    )
    start, end = datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)

    assert lookup("cn-sw-2026-01", NOW) == KeyVerdict("valid", key.public_key, start, end)
    assert lookup("cn-sw-2026-01", start).status == "valid"  # validFrom inclusive
    assert lookup("cn-sw-2026-01", end).status == "expired"  # validTo exclusive
    assert lookup("cn-sw-2026-01", start - timedelta(milliseconds=1)).status == "not-yet-valid"
    assert lookup("cn-sw-2026-99", NOW) == KeyVerdict("unknown")


def test_a_verdict_carries_a_key_exactly_when_valid() -> None:
    with pytest.raises(ValueError, match="valid key verdict"):
        KeyVerdict("valid")
    with pytest.raises(ValueError, match="valid key verdict"):
        KeyVerdict("expired", b"\x00" * 32)


def test_timestamps_need_a_zone() -> None:
    assert parse_timestamp("2026-12-07T18:00:00.123+08:00") == NOW.replace(hour=10)
    with pytest.raises(ValueError, match="no time zone"):
        parse_timestamp("2026-12-07T10:00:00.123")
