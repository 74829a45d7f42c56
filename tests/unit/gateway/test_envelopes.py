"""Envelopes and receipts: what the gateway seals is valid against the specs and opens again; each way an
untrusted partner's message can be wrong is refused with the receipt spec's reason code."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from singlewindow.adapters.gateway.envelopes import (
    MAX_ENVELOPE_BYTES,
    OpenedEnvelope,
    Quarantined,
    envelope_sha256,
    open_envelope,
    open_receipt,
    parse_envelope,
    seal_envelope,
    sign_receipt,
)
from singlewindow.adapters.gateway.keystore import Keystore
from singlewindow.adapters.gateway.signing import KeyLookup, SigningKey, canonical, key_lookup, sha256_hex
from singlewindow.platform.errors import InvalidInput
from singlewindow.platform.specs import Catalog
from singlewindow.platform.specs.validation import FORMAT_CHECKER

NOW = datetime(2026, 12, 7, 10, 0, 0, 123000, tzinfo=UTC)
SKEW = timedelta(minutes=10)
KZ = {"country": "KZ", "hubId": "kz-nsw"}
CN = {"country": "CN", "hubId": "cn-sw"}
CATALOG = Catalog()
DOCUMENT: dict[str, Any] = json.loads(CATALOG.get("cargo-manifest").valid_examples[0].read_text())


def entry(
    key: SigningKey, valid_from: str = "2026-01-01T00:00:00.000Z", valid_to: str = "2027-01-01T00:00:00.000Z"
) -> dict[str, str]:
    return {"keyId": key.key_id, "publicKey": key.public_key_b64, "validFrom": valid_from, "validTo": valid_to}


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.generate("kz-nsw-2026-01")


@pytest.fixture(scope="module")
def lookup(key: SigningKey) -> KeyLookup:
    return key_lookup([entry(key)])


def seal(key: SigningKey, *, now: datetime = NOW, document: dict[str, Any] = DOCUMENT) -> dict[str, Any]:
    return seal_envelope(
        document,
        document_type="cargo-manifest",
        subject="nsw.cargo-manifest",
        schema_version=1,
        schema_fingerprint="ab" * 32,
        sender=KZ,
        receiver=CN,
        sequence=7,
        key=key,
        now=now,
    )


def raw(message: dict[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False).encode()


def open_(data: bytes, lookup: KeyLookup, *, now: datetime = NOW, **overrides: Any) -> OpenedEnvelope:
    options: dict[str, Any] = {"expected_sender": KZ, "expected_receiver": CN, "verify_key": lookup}
    return open_envelope(data, clock_skew=SKEW, now=now, **(options | overrides))


def refused(data: bytes, lookup: KeyLookup, **options: Any) -> Quarantined:
    with pytest.raises(Quarantined) as caught:
        open_(data, lookup, **options)
    return caught.value


def spec(name: str) -> Draft202012Validator:
    return Draft202012Validator(CATALOG.get(name).json_schema, format_checker=FORMAT_CHECKER)


def test_a_sealed_envelope_is_valid_against_the_spec_and_opens_to_the_document(
    key: SigningKey, lookup: KeyLookup
) -> None:
    envelope = seal(key)

    assert list(spec("crossborder-envelope").iter_errors(envelope)) == []
    assert envelope["payload"] == canonical(DOCUMENT).decode()
    assert envelope["payloadSha256"] == sha256_hex(canonical(DOCUMENT))
    assert envelope["createdAt"] == "2026-12-07T10:00:00.123Z"
    assert envelope["signature"]["keyId"] == "kz-nsw-2026-01" and envelope["signature"]["algorithm"] == "ED25519"

    opened = open_(raw(envelope), lookup)
    assert opened.document == DOCUMENT
    assert opened.envelope == envelope
    assert opened.key_id == "kz-nsw-2026-01"
    assert opened.envelope_sha256 == envelope_sha256(envelope) == sha256_hex(canonical(envelope))


def test_the_envelope_copies_the_document_header(key: SigningKey) -> None:
    envelope = seal(key)
    for name in ("documentId", "ucr", "issuedAt"):
        assert envelope[name] == DOCUMENT[name]
    assert envelope["references"] == DOCUMENT.get("references", [])


def test_a_document_the_envelope_cannot_carry_is_refused_when_sealing(key: SigningKey) -> None:
    with pytest.raises(InvalidInput, match="would not be valid"):
        seal(key, document={k: v for k, v in DOCUMENT.items() if k != "ucr"})


def test_receipts_are_valid_against_the_spec_and_open(key: SigningKey, lookup: KeyLookup) -> None:
    cn_key = SigningKey.generate("cn-sw-2026-01")
    envelope = seal(key)
    accepted = sign_receipt(envelope, outcome="ACCEPTED", key=cn_key, received_at=NOW, now=NOW)
    quarantined = sign_receipt(
        envelope,
        outcome="QUARANTINED",
        reason=Quarantined("SIGNATURE_INVALID", "the signature does not verify").reason,
        key=cn_key,
        received_at=NOW,
        now=NOW,
    )

    for receipt in (accepted, quarantined):
        assert list(spec("crossborder-receipt").iter_errors(receipt)) == []
        assert receipt["sender"] == CN and receipt["receiver"] == KZ
        assert receipt["envelopeSha256"] == envelope_sha256(envelope)
        assert receipt["partnerSequence"] == 7
    assert "reason" not in accepted
    assert quarantined["reason"] == {"code": "SIGNATURE_INVALID", "text": "the signature does not verify"}

    cn_lookup = key_lookup([entry(cn_key)])
    opened = open_receipt(
        raw(quarantined), expected_sender=CN, expected_receiver=KZ, verify_key=cn_lookup, clock_skew=SKEW, now=NOW
    )
    assert opened.outcome == "QUARANTINED" and opened.envelope_id == envelope["envelopeId"]
    assert opened.reason == quarantined["reason"] and opened.key_id == "cn-sw-2026-01"

    tampered = {**accepted, "outcome": "REJECTED", "reason": {"code": "OTHER", "text": "x"}}
    with pytest.raises(Quarantined) as caught:
        open_receipt(
            raw(tampered), expected_sender=CN, expected_receiver=KZ, verify_key=cn_lookup, clock_skew=SKEW, now=NOW
        )
    assert caught.value.code == "SIGNATURE_INVALID"


@pytest.mark.parametrize(("outcome", "reason"), [("ACCEPTED", {"code": "OTHER", "text": "x"}), ("REJECTED", None)])
def test_a_receipt_has_a_reason_exactly_when_not_accepted(key: SigningKey, outcome: Any, reason: Any) -> None:
    with pytest.raises(InvalidInput, match="reason"):
        sign_receipt(seal(key), outcome=outcome, reason=reason, key=key, received_at=NOW)


def test_a_received_receipt_breaking_the_reason_rule_is_malformed(key: SigningKey) -> None:
    receipt = sign_receipt(seal(key), outcome="ACCEPTED", key=key, received_at=NOW, now=NOW)
    receipt["reason"] = {"code": "OTHER", "text": "looks fine"}
    with pytest.raises(Quarantined, match="reason is required exactly"):
        open_receipt(raw(receipt), expected_sender=CN, expected_receiver=KZ, verify_key=key_lookup([]), clock_skew=SKEW)


def test_tampered_payload_is_a_hash_mismatch(key: SigningKey, lookup: KeyLookup) -> None:
    envelope = seal(key)
    envelope["payload"] = envelope["payload"].replace(DOCUMENT["ucr"], DOCUMENT["ucr"][:-1] + "X")
    assert refused(raw(envelope), lookup).code == "PAYLOAD_HASH_MISMATCH"


def test_tampered_payload_with_its_hash_recomputed_breaks_the_signature(key: SigningKey, lookup: KeyLookup) -> None:
    envelope = seal(key)
    envelope["payload"] = envelope["payload"].replace(DOCUMENT["ucr"], DOCUMENT["ucr"][:-1] + "X")
    envelope["payloadSha256"] = sha256_hex(envelope["payload"].encode())
    assert refused(raw(envelope), lookup).code == "SIGNATURE_INVALID"


@pytest.mark.parametrize(
    ("field", "value"),
    [("partnerSequence", 8), ("documentType", "control-result"), ("schemaVersion", 2), ("createdAt", None)],
)
def test_a_tampered_header_field_breaks_the_signature(
    key: SigningKey, lookup: KeyLookup, field: str, value: Any
) -> None:
    envelope = seal(key)
    envelope[field] = "2026-12-07T10:00:01.123Z" if value is None else value
    failure = refused(raw(envelope), lookup)
    assert failure.code == "SIGNATURE_INVALID"
    assert failure.reason == {
        "code": "SIGNATURE_INVALID",
        "text": "the signature does not verify with key kz-nsw-2026-01",
    }


def test_a_signature_by_another_key_under_our_key_id_is_invalid(lookup: KeyLookup) -> None:
    impostor = SigningKey("kz-nsw-2026-01", SigningKey.generate("x").private_key)
    assert refused(raw(seal(impostor)), lookup).code == "SIGNATURE_INVALID"


def test_an_unknown_key_id_is_quarantined(lookup: KeyLookup) -> None:
    failure = refused(raw(seal(SigningKey.generate("kz-nsw-2026-09"))), lookup)
    assert failure.code == "UNKNOWN_KEY" and "kz-nsw-2026-09" in failure.text


def test_an_expired_key_is_quarantined(key: SigningKey) -> None:
    lookup = key_lookup([entry(key, valid_to="2026-12-07T09:00:00.000Z")])
    failure = refused(raw(seal(key)), lookup)
    assert failure.code == "UNKNOWN_KEY" and failure.text == "key kz-nsw-2026-01 expired at 2026-12-07T09:00:00.000Z"


def test_a_not_yet_valid_key_is_quarantined(key: SigningKey) -> None:
    lookup = key_lookup([entry(key, valid_from="2026-12-08T00:00:00.000Z")])
    failure = refused(raw(seal(key)), lookup)
    assert failure.code == "UNKNOWN_KEY" and "not valid before 2026-12-08T00:00:00.000Z" in failure.text


@pytest.mark.parametrize("age", [SKEW + timedelta(seconds=1), -SKEW - timedelta(seconds=1)])
def test_stale_and_future_created_at_are_quarantined(key: SigningKey, lookup: KeyLookup, age: timedelta) -> None:
    envelope = seal(key, now=NOW - age)
    assert refused(raw(envelope), lookup).code == "STALE_TIMESTAMP"


def test_created_at_within_the_skew_is_accepted_and_max_age_widens_the_past_only(
    key: SigningKey, lookup: KeyLookup
) -> None:
    assert open_(raw(seal(key, now=NOW - SKEW)), lookup).key_id == key.key_id
    assert open_(raw(seal(key, now=NOW + SKEW)), lookup).key_id == key.key_id
    held_back = raw(seal(key, now=NOW - timedelta(hours=3)))
    assert open_(held_back, lookup, max_age=timedelta(hours=4)).key_id == key.key_id
    future = raw(seal(key, now=NOW + timedelta(hours=1)))
    assert refused(future, lookup, max_age=timedelta(hours=4)).code == "STALE_TIMESTAMP"


@pytest.mark.parametrize("role", ["expected_sender", "expected_receiver"])
def test_wrong_sender_or_receiver_is_not_in_the_partner_profile(key: SigningKey, lookup: KeyLookup, role: str) -> None:
    failure = refused(raw(seal(key)), lookup, **{role: {"country": "KG", "hubId": "kg-sw"}})
    assert failure.code == "NOT_IN_PARTNER_PROFILE" and "KG/kg-sw" in failure.text


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"not json", "not JSON"),
        (b"\xff\xfe{}", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b"[" * 5000 + b"]" * 5000, "malformed envelope"),
        (b'{"a": "\\u0000"}', "/a"),
    ],
)
def test_what_is_not_json_under_the_hub_rules_is_malformed(lookup: KeyLookup, data: bytes, words: str) -> None:
    failure = refused(data, lookup)
    assert failure.code == "OTHER" and words in failure.text


def test_a_schema_invalid_envelope_is_malformed_with_the_pointer(key: SigningKey, lookup: KeyLookup) -> None:
    envelope = seal(key)
    envelope["signature"]["value"] = "short"
    failure = refused(raw(envelope), lookup)
    assert failure.code == "OTHER"
    assert failure.text.startswith("malformed envelope: not valid against crossborder-envelope at /signature/value")
    del envelope["payload"]
    assert "at /payload" in refused(raw(envelope), lookup).text


def test_an_oversize_envelope_is_refused_before_parsing(lookup: KeyLookup) -> None:
    failure = refused(b" " * (MAX_ENVELOPE_BYTES + 1), lookup)
    assert failure.code == "OTHER" and "more than" in failure.text
    assert refused(b"{}" + b" " * 100, lookup, max_bytes=50).code == "OTHER"


def test_a_signed_payload_that_disagrees_with_the_header_is_invalid(key: SigningKey, lookup: KeyLookup) -> None:
    envelope = {name: value for name, value in seal(key).items() if name != "signature"}
    envelope["ucr"] = "OTHERUCR1"
    value = key.sign(canonical(envelope))  # signed by the partner as it is: a sender's bug, not forgery
    envelope["signature"] = {"algorithm": "ED25519", "keyId": key.key_id, "value": value}
    failure = refused(raw(envelope), lookup)
    assert failure.code == "PAYLOAD_INVALID" and "ucr" in failure.text


def test_parse_envelope_gives_the_unverified_envelope_for_redelivery_checks(key: SigningKey) -> None:
    envelope = seal(key)
    parsed = parse_envelope(raw(envelope))
    assert parsed == envelope and envelope_sha256(parsed) == envelope_sha256(envelope)


def test_a_rotated_key_verifies_during_the_overlap_and_not_after(tmp_path: Path) -> None:
    store = Keystore(tmp_path / "keys")
    store.generate("kz-nsw", now=NOW - timedelta(days=30))
    old = store.active(NOW)
    store.rotate(timedelta(days=7), now=NOW)
    new = store.active(NOW)
    lookup = key_lookup([record.profile_entry() for record in store.records()])

    during = NOW + timedelta(days=6)
    assert open_(raw(seal(old, now=during)), lookup, now=during).key_id == old.key_id
    assert open_(raw(seal(new, now=during)), lookup, now=during).key_id == new.key_id

    after = NOW + timedelta(days=7)
    failure = refused(raw(seal(old, now=after)), lookup, now=after)
    assert failure.code == "UNKNOWN_KEY" and "expired" in failure.text
    assert open_(raw(seal(new, now=after)), lookup, now=after).key_id == new.key_id


def test_a_receipt_from_the_wrong_party_or_too_large_is_quarantined(key: SigningKey) -> None:
    receipt = raw(sign_receipt(seal(key), outcome="ACCEPTED", key=key, received_at=NOW, now=NOW))
    lookup = key_lookup([entry(key)])
    options: dict[str, Any] = {"verify_key": lookup, "clock_skew": SKEW, "now": NOW}
    with pytest.raises(Quarantined) as wrong:
        open_receipt(receipt, expected_sender=KZ, expected_receiver=CN, **options)  # it comes from CN
    assert wrong.value.code == "NOT_IN_PARTNER_PROFILE"
    with pytest.raises(Quarantined) as large:
        open_receipt(receipt + b" " * 300_000, expected_sender=CN, expected_receiver=KZ, **options)
    assert large.value.code == "OTHER" and "more than" in large.value.text
    assert open_receipt(receipt, expected_sender=CN, expected_receiver=KZ, **options).outcome == "ACCEPTED"
