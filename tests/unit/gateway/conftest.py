"""Two linked hubs for the gateway's end-to-end tests, and a ``Partner`` that plays CN's side of the link
towards KZ: it seals envelopes with CN's real signing key (or any other), and puts raw bytes into KZ's
``crossborder.in.cn`` exactly where CN's Shovel writes them, as the link user, under the broker's access
rules. What KZ's gateway then does is read from its store, its metrics, KZ's hub and the link queues."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from singlewindow.adapters.gateway import envelopes
from singlewindow.adapters.gateway.profiles import load_profiles
from singlewindow.adapters.gateway.schemas import fingerprint
from singlewindow.adapters.gateway.signing import SigningKey
from singlewindow.adapters.gateway.store import Quarantined, SentEnvelope
from singlewindow.platform.hub.views import SubmissionView
from singlewindow.platform.specs import Catalog
from singlewindow.platform.testing.crossborder import Country, TwoCountries, two_countries
from singlewindow.platform.topology import names
from singlewindow.platform.transport import MemoryBroker
from singlewindow.platform.transport.base import OutgoingMessage

CN = {"country": "CN", "hubId": "cn-sw"}
KZ = {"country": "KZ", "hubId": "kz-nsw"}


def example(document_type: str, stem: str, **changes: Any) -> dict[str, Any]:
    """A valid example of the specs with ``changes`` applied (new ids, so each test's documents are new)."""
    for path in Catalog().get(document_type).valid_examples:
        if stem in path.name:
            loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return loaded | changes
    raise LookupError(f"no {document_type} example named like {stem!r}")


async def until(condition: Callable[[], Awaitable[bool]], what: str, within: float = 10.0) -> None:
    """Poll ``condition`` until it holds; fail saying ``what`` was awaited."""
    try:
        async with asyncio.timeout(within):
            while True:
                if await condition():
                    return
                await asyncio.sleep(0.02)
    except TimeoutError:
        pytest.fail(f"timed out waiting for {what}")


async def cut(pair: TwoCountries, sender: Country) -> None:
    """Cut ``sender``'s link (awaited where the pair's links need it)."""
    outcome: object = pair.cut(sender)
    if isinstance(outcome, Awaitable):
        await outcome


async def restore(pair: TwoCountries, sender: Country) -> None:
    outcome: object = pair.restore(sender)
    if isinstance(outcome, Awaitable):
        await outcome


def reload_profile(country: Country, partner: str) -> None:
    """What the gateway's sweep does once the profile file changed, now: take it again (checked first)."""
    country.gateway.reload_profile()
    assert country.gateway.inbound is not None
    assert country.gateway.inbound.profile == load_profiles(country.profiles_dir)[partner], "profile not taken"


class Partner:
    """CN as KZ's gateway sees it: envelopes sealed with CN's key, delivered raw through the broker."""

    example = staticmethod(example)
    until = staticmethod(until)

    def __init__(self, pair: TwoCountries) -> None:
        self.pair = pair
        self._sequence = 1000  # well apart from the sequences CN's own gateway gives out

    @property
    def kz(self) -> Country:
        return self.pair.kz

    def key(self) -> SigningKey:
        return self.pair.cn.keystore.active()

    def seal(
        self,
        document_type: str,
        document: Mapping[str, Any],
        *,
        key: SigningKey | None = None,
        sender: Mapping[str, str] = CN,
        now: datetime | None = None,
        envelope_id: str | None = None,
        sequence: int | None = None,
    ) -> dict[str, Any]:
        """An envelope as CN's gateway seals it (CN's active key unless ``key``), for KZ."""
        terms = self.pair.cn.gateway.outbound.profile.document("outbound", document_type)  # type: ignore[union-attr]
        assert terms is not None, document_type
        if sequence is None:
            self._sequence += 1
            sequence = self._sequence
        return envelopes.seal_envelope(
            document,
            document_type=document_type,
            subject=terms.subject,
            schema_version=terms.schema_version,
            schema_fingerprint=fingerprint(document_type),
            sender=sender,
            receiver=KZ,
            sequence=sequence,
            key=key or self.key(),
            envelope_id=envelope_id,
            now=now,
        )

    def control_result(self, tag: str) -> dict[str, Any]:
        """A GACC control result on goods travelling on to KZ (what CN sends KZ under mutual recognition)."""
        return self.example(
            "control-result",
            "wheat",
            documentId=f"CN-GACC-CR-{tag}",
            ucr=f"6CN91650100MA78B3KN1T-{tag}"[:35],
            references=[],
            controllingCountry="CN",
            destinationCountry="KZ",
            controllingAgency="gacc",
            controlOffice={"borderCrossingPoint": "CNALK", "name": "Alashankou inspection post"},
            officer={"id": "CN-GACC-ALK-012"},
        )

    async def send_from_cn(self, tag: str) -> SentEnvelope:
        """A control result sealed, stored and sent by CN's own gateway (on CN's link, cut or not)."""
        outbound = self.pair.cn.gateway.outbound
        assert outbound is not None
        return await outbound.send(
            "control-result", self.control_result(tag), source_key=f"test-{tag}", kind="document"
        )

    @property
    def broker(self) -> MemoryBroker:
        assert self.pair.broker is not None, "these tests run on the in-memory broker"
        return self.pair.broker

    def inject(self, body: bytes, message_type: str = envelopes.ENVELOPE_TYPE) -> None:
        """Publish ``body`` into KZ's ``crossborder.in.cn`` as CN's Shovel does: as the link user, no user_id."""
        broker, vhost = self.broker, self.kz.vhost
        user = broker.login(vhost, names.link_user("cn"), None)
        message = OutgoingMessage(
            exchange=names.crossborder_in_exchange("cn"),
            routing_key="cn",
            body=body,
            message_id=str(uuid.uuid4()),
            type=message_type,
            content_type="application/json",
            mandatory=False,
        )
        broker.publish(vhost, user, message)

    async def submissions_in_kz(self) -> list[SubmissionView]:
        """What the partner's principal has submitted into KZ's hub (every cross-border submission)."""
        principal = await self.kz.hub.principals.get("partner-cn")
        return await self.kz.hub.intake.list_submissions(principal)

    async def quarantined_in_kz(self) -> list[Quarantined]:
        return await self.kz.gateway.store.quarantined("cn")

    def quarantine_metric(self, reason: str) -> float:
        value = self.kz.gateway.metrics.registry.get_sample_value(
            "nsw_gateway_quarantined_total", {"partner": "cn", "reason": reason}
        )
        return value or 0.0

    def kz_out_messages(self) -> list[OutgoingMessage]:
        """What waits in KZ's ``crossborder.out.cn`` (while KZ's link to CN is cut)."""
        return self.broker.queue_messages(self.kz.vhost, names.crossborder_out_queue("cn"))

    def receipts_from_kz(self, envelope_id: str) -> list[dict[str, Any]]:
        """KZ's receipts for ``envelope_id`` waiting on KZ's cut link, each verified as CN would verify it."""
        inbound = self.pair.cn.gateway.inbound
        assert inbound is not None
        found = []
        for message in self.kz_out_messages():
            if message.type != envelopes.RECEIPT_TYPE:
                continue
            opened = envelopes.open_receipt(
                bytes(message.body),
                expected_sender=KZ,
                expected_receiver=CN,
                verify_key=inbound.profile.key_verdict,
                clock_skew=inbound.profile.clock_skew,
            )
            if opened.envelope_id == envelope_id:
                found.append(opened.receipt)
        return found


@pytest.fixture
async def pair(tmp_path: Path) -> AsyncIterator[TwoCountries]:
    async with two_countries(tmp_path) as countries:
        yield countries


@pytest.fixture
def cn(pair: TwoCountries) -> Partner:
    return Partner(pair)
