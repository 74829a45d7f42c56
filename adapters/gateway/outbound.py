"""Sealing and sending: a document routed to the partner, or our answer on one of theirs, becomes one signed
envelope with the next sequence number on the link, stored before it is sent.

Sealing is idempotent on its source (the routed delivery's hand-over key, or the answer's document id): a
redelivered inbox message or a crash between storing and sending sends the stored envelope again, same id,
same sequence, same bytes; the partner recognises it as a redelivery and sends its receipt again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog

from singlewindow.adapters.gateway import envelopes, translate
from singlewindow.adapters.gateway.metrics import GatewayMetrics
from singlewindow.adapters.gateway.profiles import PartnerProfile
from singlewindow.adapters.gateway.schemas import fingerprint
from singlewindow.adapters.gateway.signing import SigningKey
from singlewindow.adapters.gateway.store import GatewayStore, SentEnvelope
from singlewindow.adapters.sdk.link import PartnerLink
from singlewindow.platform.errors import InvalidInput
from singlewindow.platform.state.common import utcnow

log = structlog.get_logger(__name__)


@dataclass
class OutboundGateway:
    profile: PartnerProfile
    home: Mapping[str, str]
    store: GatewayStore
    link: PartnerLink
    signing_key: Callable[[], SigningKey]
    metrics: GatewayMetrics

    @property
    def partner(self) -> str:
        return self.profile.key

    async def send(
        self,
        document_type: str,
        document: Mapping[str, Any],
        *,
        source_key: str,
        kind: str,
        submission_id: str | None = None,
        version: int | None = None,
    ) -> SentEnvelope:
        """Seal (once per ``source_key``) and hand to the link; InvalidInput when the profile refuses it."""
        terms = self.profile.document("outbound", document_type)
        if terms is None:
            raise InvalidInput(f"{document_type} is not in the outbound list of the {self.profile.country} profile")
        translated = translate.outbound(self.profile, document_type, document)
        receiver = {"country": self.profile.country, "hubId": self.profile.hub_id}

        def seal(sequence: int) -> tuple[str, dict[str, Any]]:
            envelope = envelopes.seal_envelope(
                translated,
                document_type=document_type,
                subject=terms.subject,
                schema_version=terms.schema_version,
                schema_fingerprint=fingerprint(document_type),
                sender=dict(self.home),
                receiver=receiver,
                sequence=sequence,
                key=self.signing_key(),
            )
            return str(envelope["envelopeId"]), envelope

        facts = {
            "submission_id": submission_id,
            "version": version,
            "document_type": document_type,
            "document_id": str(translated.get("documentId")),
            "ucr": str(translated.get("ucr")),
        }
        sent = await self.store.seal_once(self.partner, source_key, kind, facts, seal)
        await self.link.send(sent.envelope_id, envelopes.ENVELOPE_TYPE, sent.body)
        self.metrics.envelope_sent(self.partner, kind)
        log.info(
            "envelope sent",
            partner=self.partner,
            envelope_id=sent.envelope_id,
            sequence=sent.sequence,
            document_type=document_type,
            kind=kind,
            submission_id=submission_id,
        )
        return sent

    async def resend_unreceipted(self, older_than: timedelta) -> int:
        """Send again what the partner has not receipted for ``older_than`` (same bytes: a redelivery there),
        once per ``older_than``: each resend is recorded, so a long outage does not make every sweep round send
        the whole backlog again (the fault harness saw 48 envelopes resent every 0.6 s during a cut)."""
        stale = await self.store.unreceipted(self.partner, utcnow() - older_than)
        for sent in stale:
            await self.link.send(sent.envelope_id, envelopes.ENVELOPE_TYPE, sent.body)
            await self.store.record_resent([sent.envelope_id])
        if stale:
            log.warning("unreceipted envelopes sent again", partner=self.partner, count=len(stale))
        return len(stale)
