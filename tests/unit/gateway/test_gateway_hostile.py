"""Forged and broken envelopes arriving at KZ from "CN": each is set aside in quarantine with its reason,
counted, never submitted into KZ's hub, and answered with a signed QUARANTINED receipt when it is readable
enough and really addressed by CN to KZ. A replayed valid envelope is not an attack: its original receipt
goes again.

Everything enters where CN's Shovel writes, KZ's ``crossborder.in.cn``, as the link user under the broker's
access rules. KZ's link to CN is cut in most tests, so KZ's receipts wait in ``crossborder.out.cn`` where
the test reads (and verifies) them.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from singlewindow.adapters.gateway import envelopes
from singlewindow.adapters.gateway.signing import SigningKey, canonical
from singlewindow.adapters.gateway.store import SentEnvelope
from singlewindow.platform.state.common import utcnow
from singlewindow.platform.testing.crossborder import TwoCountries

from .conftest import Partner, cut, reload_profile


def _resigned(envelope: dict[str, Any], key: SigningKey) -> dict[str, Any]:
    """``envelope`` signed again by ``key`` (its keyId, its private half)."""
    unsigned = {name: value for name, value in envelope.items() if name != "signature"}
    value = key.sign(canonical(unsigned))
    return unsigned | {"signature": {"algorithm": "ED25519", "keyId": key.key_id, "value": value}}


@dataclass(frozen=True)
class Forgery:
    name: str
    reason: str
    text: str
    make: Callable[[Partner, SentEnvelope], bytes]


def _tampered_payload(cn: Partner, sent: SentEnvelope) -> bytes:
    envelope = copy.deepcopy(sent.envelope)
    envelope["payload"] = envelope["payload"].replace('"SATISFACTORY"', '"UNSATISFACTORY"')
    assert envelope["payload"] != sent.envelope["payload"]
    return canonical(envelope)


def _tampered_header(cn: Partner, sent: SentEnvelope) -> bytes:
    return canonical(sent.envelope | {"partnerSequence": sent.sequence + 7})


def _wrong_key(cn: Partner, sent: SentEnvelope) -> bytes:
    return canonical(_resigned(sent.envelope, SigningKey.generate(cn.key().key_id)))


def _unknown_key(cn: Partner, sent: SentEnvelope) -> bytes:
    return canonical(_resigned(sent.envelope, SigningKey.generate("cn-sw-2099-01")))


def _resealed(cn: Partner, sent: SentEnvelope, shift: timedelta) -> bytes:
    document = json.loads(sent.envelope["payload"])
    envelope = cn.seal(
        "control-result",
        document,
        envelope_id=sent.envelope_id,
        sequence=sent.sequence,
        now=utcnow() + shift,
    )
    return canonical(envelope)


def _stale(cn: Partner, sent: SentEnvelope) -> bytes:
    return _resealed(cn, sent, -(timedelta(days=2) + timedelta(hours=1)))  # the gateway's max_link_delay + 1 h


def _future(cn: Partner, sent: SentEnvelope) -> bytes:
    return _resealed(cn, sent, timedelta(minutes=30))  # the profile's clockSkew is 10 minutes


FORGERIES = (
    Forgery("tampered payload", "PAYLOAD_HASH_MISMATCH", "payloadSha256", _tampered_payload),
    Forgery("tampered header", "SIGNATURE_INVALID", "does not verify", _tampered_header),
    Forgery("fresh key under CN's key id", "SIGNATURE_INVALID", "does not verify", _wrong_key),
    Forgery("unknown key id", "UNKNOWN_KEY", "not in the partner profile", _unknown_key),
    Forgery("stale createdAt", "STALE_TIMESTAMP", "is before", _stale),
    Forgery("future createdAt", "STALE_TIMESTAMP", "is after", _future),
)


@pytest.fixture
async def both_cut(pair: TwoCountries) -> TwoCountries:
    """Both links cut: CN's own envelopes wait in CN's outbound queue, KZ's receipts in KZ's."""
    await cut(pair, pair.cn)
    await cut(pair, pair.kz)
    return pair


async def _quarantined_as(cn: Partner, raw: bytes, reason: str, what: str) -> None:
    """``raw`` (already injected) ends in KZ's quarantine with ``reason``, counted; nothing was submitted."""
    text = raw.decode("utf-8", errors="replace")

    async def set_aside() -> bool:
        return any(entry.raw == text for entry in await cn.quarantined_in_kz())

    await cn.until(set_aside, f"{what} quarantined")
    entry = next(entry for entry in await cn.quarantined_in_kz() if entry.raw == text)
    assert entry.reason_code == reason, (what, entry.reason_code, entry.reason_text)
    assert cn.quarantine_metric(reason) >= 1, what


async def test_forged_envelopes_are_quarantined_and_answered_with_signed_receipts(both_cut: TwoCountries) -> None:
    cn = Partner(both_cut)
    for number, forgery in enumerate(FORGERIES):
        sent = await cn.send_from_cn(f"FORGED-{number}")
        before = cn.quarantine_metric(forgery.reason)
        raw = forgery.make(cn, sent)
        cn.inject(raw)
        await _quarantined_as(cn, raw, forgery.reason, forgery.name)
        assert cn.quarantine_metric(forgery.reason) == before + 1, forgery.name
        entry = next(e for e in await cn.quarantined_in_kz() if e.raw == raw.decode())
        assert entry.envelope_id == sent.envelope_id and forgery.text in entry.reason_text, (forgery.name, entry)
        assert await both_cut.kz.gateway.store.received("cn", sent.envelope_id) is None, forgery.name

        async def answered(envelope_id: str = sent.envelope_id) -> bool:
            return bool(cn.receipts_from_kz(envelope_id))

        await cn.until(answered, f"KZ's receipt for the {forgery.name}")
        (receipt,) = cn.receipts_from_kz(sent.envelope_id)
        assert receipt["outcome"] == "QUARANTINED", forgery.name
        assert receipt["reason"]["code"] == forgery.reason, forgery.name
        assert receipt["envelopeSha256"] == envelopes.envelope_sha256(json.loads(raw)), forgery.name
    assert await cn.submissions_in_kz() == []
    assert (await both_cut.kz.gateway.store.counts("cn")).quarantined == len(FORGERIES)


async def test_a_key_past_its_validity_verifies_nothing(both_cut: TwoCountries) -> None:
    cn = Partner(both_cut)
    profile_path = both_cut.kz.profiles_dir / "cn.json"
    profile = json.loads(profile_path.read_text(encoding="utf-8"))
    now = utcnow()
    for entry in profile["keys"]:
        entry["validFrom"] = (now - timedelta(days=30)).isoformat().replace("+00:00", "Z")
        entry["validTo"] = (now - timedelta(days=1)).isoformat().replace("+00:00", "Z")
    profile_path.write_text(json.dumps(profile, indent=2), encoding="utf-8")
    reload_profile(both_cut.kz, "cn")

    sent = await cn.send_from_cn("EXPIRED")
    cn.inject(sent.body)  # CN's envelope exactly as CN's gateway sent it
    await _quarantined_as(cn, sent.body, "UNKNOWN_KEY", "envelope signed with an expired key")
    (entry,) = await cn.quarantined_in_kz()
    assert "expired" in entry.reason_text

    async def answered() -> bool:
        return bool(cn.receipts_from_kz(sent.envelope_id))

    await cn.until(answered, "KZ's receipt")
    (receipt,) = cn.receipts_from_kz(sent.envelope_id)
    assert receipt["outcome"] == "QUARANTINED" and receipt["reason"]["code"] == "UNKNOWN_KEY"
    assert receipt["envelopeSha256"] == envelopes.envelope_sha256(sent.envelope)
    assert await cn.submissions_in_kz() == []


async def test_an_envelope_not_from_cn_is_quarantined_without_an_answer_on_cns_link(both_cut: TwoCountries) -> None:
    cn = Partner(both_cut)
    envelope = cn.seal("control-result", cn.control_result("UZ-1"), sender={"country": "UZ", "hubId": "uz-sw"})
    raw = canonical(envelope)
    cn.inject(raw)
    await _quarantined_as(cn, raw, "NOT_IN_PARTNER_PROFILE", "envelope from UZ on CN's link")
    # Nothing goes back on CN's link: a receipt would be addressed to UZ, whom this link does not reach.
    assert cn.receipts_from_kz(str(envelope["envelopeId"])) == []
    assert cn.kz_out_messages() == []
    assert await cn.submissions_in_kz() == []


async def test_garbage_and_oversize_are_quarantined_unanswered(both_cut: TwoCountries) -> None:
    cn = Partner(both_cut)
    garbage = b"\x00\xff not json at all {"
    cn.inject(garbage)
    await _quarantined_as(cn, garbage, "OTHER", "garbage bytes")

    sent = await cn.send_from_cn("HUGE")
    huge = sent.envelope | {"payload": " " * (envelopes.MAX_ENVELOPE_BYTES + 1)}
    oversize = canonical(huge)
    cn.inject(oversize)
    await _quarantined_as(cn, oversize, "OTHER", "oversize envelope")
    entries = await cn.quarantined_in_kz()
    assert [e.reason_code for e in entries] == ["OTHER", "OTHER"]
    assert "malformed" in entries[0].reason_text
    assert "more than the" in entries[1].reason_text
    assert cn.quarantine_metric("OTHER") == 2
    assert cn.kz_out_messages() == []  # neither is readable enough to answer
    assert await cn.submissions_in_kz() == []


async def test_an_envelope_id_reused_for_other_content_is_quarantined(both_cut: TwoCountries) -> None:
    cn = Partner(both_cut)
    sent = await cn.send_from_cn("ORIGINAL")
    cn.inject(sent.body)

    async def applied() -> bool:
        taken = await both_cut.kz.gateway.store.received("cn", sent.envelope_id)
        return taken is not None and taken.state == "APPLIED"

    await cn.until(applied, "the original applied")
    other = cn.seal(
        "control-result", cn.control_result("IMPOSTOR"), envelope_id=sent.envelope_id, sequence=sent.sequence
    )
    raw = canonical(other)
    cn.inject(raw)
    await _quarantined_as(cn, raw, "ENVELOPE_ID_REUSED", "reused envelope id")

    async def both_answered() -> bool:
        return len(cn.receipts_from_kz(sent.envelope_id)) == 2

    await cn.until(both_answered, "both receipts")
    original, impostor = cn.receipts_from_kz(sent.envelope_id)
    assert original["outcome"] == "ACCEPTED"
    assert original["envelopeSha256"] == envelopes.envelope_sha256(sent.envelope)
    assert impostor["outcome"] == "QUARANTINED" and impostor["reason"]["code"] == "ENVELOPE_ID_REUSED"
    assert impostor["envelopeSha256"] == envelopes.envelope_sha256(other)
    (submission,) = await cn.submissions_in_kz()
    assert submission.trader_reference == f"XB-cn-{sent.envelope_id}"
    taken = await both_cut.kz.gateway.store.received("cn", sent.envelope_id)
    assert taken is not None and taken.envelope_sha256 == envelopes.envelope_sha256(sent.envelope)


async def test_a_replayed_envelope_gets_its_original_receipt_again(both_cut: TwoCountries) -> None:
    cn = Partner(both_cut)
    sent = await cn.send_from_cn("REPLAYED")
    cn.inject(sent.body)
    cn.inject(sent.body)

    async def answered_twice() -> bool:
        return len(cn.receipts_from_kz(sent.envelope_id)) == 2

    await cn.until(answered_twice, "two receipts")
    first, second = cn.receipts_from_kz(sent.envelope_id)
    assert first == second and first["outcome"] == "ACCEPTED"  # the same signed receipt, same receiptId
    taken = await both_cut.kz.gateway.store.received("cn", sent.envelope_id)
    assert taken is not None and taken.redeliveries == 1 and taken.receipt == first
    assert len(await cn.submissions_in_kz()) == 1
    assert await cn.quarantined_in_kz() == []
    redeliveries = both_cut.kz.gateway.metrics.registry.get_sample_value(
        "nsw_gateway_redeliveries_total", {"partner": "cn"}
    )
    assert redeliveries == 1


async def test_cn_records_kz_receipts_only_for_the_bytes_it_sent(pair: TwoCountries) -> None:
    """With both links up: CN's store takes KZ's QUARANTINED receipt for CN's own envelope (signed with a key
    KZ no longer accepts), while a receipt for other bytes under one of CN's envelope ids (tampered on the
    way) leaves that envelope unreceipted, so CN's resend sweep sends the real bytes again."""
    cn = Partner(pair)
    await cut(pair, pair.cn)  # CN's own copies stay in CN's queue; the test delivers what KZ gets
    kz_view_of_cn = pair.kz.profiles_dir / "cn.json"
    sent = await cn.send_from_cn("RECORDED")
    tampered_source = await cn.send_from_cn("TAMPERED")

    tampered = _tampered_payload(cn, tampered_source)
    cn.inject(tampered)
    await _quarantined_as(cn, tampered, "PAYLOAD_HASH_MISMATCH", "tampered payload")

    profile = json.loads(kz_view_of_cn.read_text(encoding="utf-8"))
    profile["keys"] = []
    kz_view_of_cn.write_text(json.dumps(profile), encoding="utf-8")
    reload_profile(pair.kz, "cn")
    cn.inject(sent.body)
    await _quarantined_as(cn, sent.body, "UNKNOWN_KEY", "CN's envelope under a key KZ dropped")

    async def recorded() -> bool:
        found = await pair.cn.gateway.store.sent(sent.envelope_id)
        return found is not None and found.receipt_outcome is not None

    await cn.until(recorded, "CN recording KZ's receipt")
    settled = await pair.cn.gateway.store.sent(sent.envelope_id)
    assert settled is not None and settled.receipt_outcome == "QUARANTINED"
    unsettled = await pair.cn.gateway.store.sent(tampered_source.envelope_id)
    assert unsettled is not None and unsettled.receipt_outcome is None
    assert await pair.cn.gateway.store.quarantined("kz") == []
