"""CN rotates its signing key in the middle of the stream. KZ's profile of CN holds both public keys (the
old one now ending at rotation + overlap): envelopes CN sealed with the old key verify during the overlap
and are quarantined as UNKNOWN_KEY ("expired") after it, whatever they claim about their own age; envelopes
sealed with the new key verify throughout.

Time passes by moving the gateways' clock (the ``utcnow`` the envelope and receipt code reads), not by
sleeping; both gateways share it, as two hubs with synchronised clocks do.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from singlewindow.adapters.gateway import envelopes, inbound
from singlewindow.adapters.gateway.keystore import import_partner_key
from singlewindow.adapters.gateway.store import APPLIED, SentEnvelope
from singlewindow.platform.state.common import utcnow
from singlewindow.platform.testing.crossborder import TwoCountries

from .conftest import Partner, cut, reload_profile

OVERLAP = timedelta(minutes=5)


def _shift_clock(monkeypatch: pytest.MonkeyPatch, by: timedelta) -> None:
    def later() -> datetime:
        return utcnow() + by

    monkeypatch.setattr(envelopes, "utcnow", later)
    monkeypatch.setattr(inbound, "utcnow", later)


async def _applied(cn: Partner, sent: SentEnvelope) -> None:
    async def taken() -> bool:
        found = await cn.kz.gateway.store.received("cn", sent.envelope_id)
        return found is not None and found.state == APPLIED

    await cn.until(taken, f"envelope {sent.sequence} applied")


async def _cn_recorded(cn: Partner, sent: SentEnvelope) -> str | None:
    async def recorded() -> bool:
        found = await cn.pair.cn.gateway.store.sent(sent.envelope_id)
        return found is not None and found.receipt_outcome is not None

    await cn.until(recorded, f"CN recording KZ's receipt for envelope {sent.sequence}")
    found = await cn.pair.cn.gateway.store.sent(sent.envelope_id)
    assert found is not None
    return found.receipt_outcome


async def test_old_key_verifies_during_the_overlap_only(pair: TwoCountries, monkeypatch: pytest.MonkeyPatch) -> None:
    cn = Partner(pair)
    await cut(pair, pair.cn)  # CN's envelopes wait in its queue; the test delivers them when it says
    old_key = pair.cn.keystore.active().key_id
    in_flight_early = await cn.send_from_cn("OLD-KEY-1")
    in_flight_late = await cn.send_from_cn("OLD-KEY-2")

    new = pair.cn.keystore.rotate(OVERLAP)
    for entry in pair.cn.keystore.export_public():  # what CN's administration sends KZ's
        import_partner_key(pair.kz.profiles_dir / "cn.json", entry)
    reload_profile(pair.kz, "cn")
    assert pair.kz.gateway.inbound is not None
    assert {key.key_id for key in pair.kz.gateway.inbound.profile.keys} == {old_key, new.key_id}
    after_rotation = await cn.send_from_cn("NEW-KEY-1")
    assert in_flight_early.envelope["signature"]["keyId"] == old_key
    assert after_rotation.envelope["signature"]["keyId"] == new.key_id

    # During the overlap both keys verify.
    _shift_clock(monkeypatch, OVERLAP - timedelta(minutes=1))
    cn.inject(in_flight_early.body)
    cn.inject(after_rotation.body)
    await _applied(cn, in_flight_early)
    await _applied(cn, after_rotation)

    # After it, only the new one: an old-key envelope still on the link is set aside.
    _shift_clock(monkeypatch, OVERLAP + timedelta(minutes=1))
    latest = await cn.send_from_cn("NEW-KEY-2")
    cn.inject(in_flight_late.body)
    cn.inject(latest.body)
    await _applied(cn, latest)

    async def refused() -> bool:
        return any(entry.envelope_id == in_flight_late.envelope_id for entry in await cn.quarantined_in_kz())

    await cn.until(refused, "the late old-key envelope quarantined")
    (entry,) = await cn.quarantined_in_kz()
    assert entry.reason_code == "UNKNOWN_KEY"
    assert f"key {old_key} expired" in entry.reason_text
    assert cn.quarantine_metric("UNKNOWN_KEY") == 1
    assert await pair.kz.gateway.store.received("cn", in_flight_late.envelope_id) is None

    submitted = sorted(view.trader_reference for view in await cn.submissions_in_kz())
    expected = [f"XB-cn-{sent.envelope_id}" for sent in (in_flight_early, after_rotation, latest)]
    assert submitted == sorted(expected)
    for sent, outcome in (
        (in_flight_early, "ACCEPTED"),
        (after_rotation, "ACCEPTED"),
        (latest, "ACCEPTED"),
        (in_flight_late, "QUARANTINED"),
    ):
        assert await _cn_recorded(cn, sent) == outcome, sent.sequence
