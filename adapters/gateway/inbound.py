"""What the gateway does with each message its partner's Shovel brings: receipts and envelopes.

An envelope is checked in this order, each step before anything is submitted:

1. **Redelivery.** The same envelope id with the same hash as one already taken: send the receipt we sent
   then, count it, done. The same id with another hash: quarantined (``ENVELOPE_ID_REUSED``).
2. **Verification** (``envelopes.open_envelope``): schema, sender and receiver, payload hash, key id and
   validity, signature, timestamp window. Any failure: quarantined, a signed ``QUARANTINED`` receipt when the
   envelope is readable enough to answer, a metric and a log line; never submitted.
3. **Profile.** The document type must be in the partner profile's inbound list, under the agreed subject
   and schema version, with the schema fingerprint we have: otherwise ``REJECTED`` (a receipt says why).
4. **Order.** A document that refers to one it needs first (a termination notice to its transit
   declaration) waits, stored and verified, until that one is known; then it is applied.
5. **Apply.** A business answer (an ``agency-decision`` on a document we sent) becomes the partner
   recipient's decision on our submission; anything else is translated into our codes and submitted into
   our intake under the partner's principal. A refusal of the payload is ``REJECTED`` with its pointers.
6. **Receipt.** Signed, stored with the envelope, sent back. A transient failure (hub or store down) raises
   ``TransientError``: the link requeues the message and nothing was recorded half.
"""

from __future__ import annotations

import asyncio
import hashlib
import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog

from singlewindow.adapters.gateway import envelopes
from singlewindow.adapters.gateway.answers import apply_answer
from singlewindow.adapters.gateway.intake import IntakePort
from singlewindow.adapters.gateway.metrics import GatewayMetrics
from singlewindow.adapters.gateway.ordering import missing_prerequisite
from singlewindow.adapters.gateway.profiles import PartnerProfile
from singlewindow.adapters.gateway.schemas import fingerprint
from singlewindow.adapters.gateway.signing import KeyVerdict, SigningKey, canonical
from singlewindow.adapters.gateway.store import APPLIED, REJECTED, WAITING, GatewayStore, ReceivedEnvelope
from singlewindow.adapters.gateway.translate import inbound_translation
from singlewindow.adapters.gateway.withdrawals import WITHDRAWAL_TYPE, apply_withdrawal
from singlewindow.adapters.sdk.link import LinkMessage, PartnerLink
from singlewindow.platform.errors import InvalidInput, NswError, TransientError
from singlewindow.platform.inputs import parse_json
from singlewindow.platform.state.common import utcnow

log = structlog.get_logger(__name__)

ENVELOPE = "crossborder-envelope"
RECEIPT = "crossborder-receipt"
ANSWER_TYPE = "agency-decision"

Decide = Callable[[str, int, Any], Awaitable[int]]


@dataclass
class InboundGateway:
    """Everything the inbound side needs for one partner."""

    profile: PartnerProfile
    home: Mapping[str, str]
    store: GatewayStore
    link: PartnerLink
    intake: IntakePort
    signing_key: Callable[[], SigningKey]
    decide: Decide
    metrics: GatewayMetrics
    max_link_delay: timedelta = timedelta(days=2)
    """How old an envelope may be on arrival (the link may hold messages back during an outage); an
    envelope from the future is refused beyond the profile's clock skew."""
    _handling: weakref.WeakValueDictionary[str, asyncio.Lock] = field(
        default_factory=weakref.WeakValueDictionary, init=False, repr=False
    )
    """One lock per envelope id being handled: the link hands several messages to ``handle`` at once, and
    two copies of one envelope (a redelivery racing its original) must not both be taken."""
    _waking: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False)
    """Waiting envelopes are applied by one caller at a time (a handler and the sweep may both wake them)."""

    @property
    def partner(self) -> str:
        return self.profile.key

    @property
    def partner_address(self) -> dict[str, str]:
        return {"country": self.profile.country, "hubId": self.profile.hub_id}

    async def handle(self, message: LinkMessage) -> None:
        if message.type == RECEIPT:
            await self._receipt(message.body)
        elif message.type == ENVELOPE:
            await self._envelope(message.body)
        else:
            await self._quarantine(
                message.body, None, message.type, ("OTHER", f"unknown message type {message.type!r} on the link")
            )

    # -- receipts for our envelopes ----------------------------------------------------------------------------
    async def _receipt(self, raw: bytes) -> None:
        try:
            receipt = envelopes.open_receipt(raw, **self._checks())
        except envelopes.Quarantined as exc:
            await self._quarantine(raw, None, RECEIPT, (exc.code, exc.text))
            return
        outcome, reason = receipt.outcome, receipt.reason
        sent = await self.store.sent(receipt.envelope_id)
        if sent is None or sent.partner != self.partner:
            log.warning("receipt for an envelope we never sent", partner=self.partner, **_ids(receipt.receipt))
            return
        if receipt.receipt["envelopeSha256"] != envelopes.envelope_sha256(sent.envelope):
            # Other bytes under our envelope id (changed on the way, or forged): the receipt is about them,
            # not ours, so it settles nothing; the resend sweep sends ours again.
            log.error(
                "partner receipted other bytes under our envelope id",
                partner=self.partner,
                outcome=outcome,
                reason=reason,
                **_ids(receipt.receipt),
            )
            return
        await self.store.record_receipt(receipt.envelope_id, outcome, reason["text"] if reason else None)
        self.metrics.receipt(self.partner, outcome)
        if outcome != "ACCEPTED":
            log.error("partner did not accept our envelope", partner=self.partner, outcome=outcome, reason=reason)

    # -- envelopes ---------------------------------------------------------------------------------------------
    async def _envelope(self, raw: bytes) -> None:
        head = _readable(raw)
        envelope_id = head.get("envelopeId") if isinstance(head.get("envelopeId"), str) else None
        if envelope_id is None:
            await self._handle_envelope(raw, head, None)
            return
        lock = self._handling.get(envelope_id)
        if lock is None:
            lock = self._handling[envelope_id] = asyncio.Lock()
        async with lock:
            await self._handle_envelope(raw, head, envelope_id)

    async def _handle_envelope(self, raw: bytes, head: Mapping[str, Any], envelope_id: str | None) -> None:
        if envelope_id is not None:
            earlier = await self.store.received(self.partner, envelope_id)
            if earlier is not None:
                await self._again(raw, head, earlier)
                return
        try:
            opened = envelopes.open_envelope(raw, **self._checks())
        except envelopes.Quarantined as exc:
            await self._quarantine(raw, head, ENVELOPE, (exc.code, exc.text))
            return
        await self.take(opened.envelope, opened.document, opened.envelope_sha256)

    async def take(self, envelope: Mapping[str, Any], document: Mapping[str, Any], sha256: str) -> None:
        """A verified envelope: profile, order, apply, receipt (also the path of a released quarantine entry)."""
        refused = self._profile_problem(envelope)
        if refused is not None:
            await self._finish(envelope, sha256, REJECTED, refused)
            return
        needed = await missing_prerequisite(self.store, self.partner, envelope, document)
        if needed is not None:
            await self.store.record_inbound(self.partner, envelope, sha256, WAITING, reason=("WAITING", needed))
            self.metrics.received(self.partner, "waiting")
            log.info(
                "envelope waits for the document it refers to", partner=self.partner, needs=needed, **_ids(envelope)
            )
            return
        await self._apply(envelope, document, sha256)
        await self._wake_waiting()

    async def _apply(self, envelope: Mapping[str, Any], document: Mapping[str, Any], sha256: str) -> None:
        submission_id: str | None = None
        try:
            if envelope["documentType"] == ANSWER_TYPE:
                await apply_answer(self.store, self.partner, document, self.decide)
            elif envelope["documentType"] == WITHDRAWAL_TYPE:
                await apply_withdrawal(self.store, self.partner, document, self.intake)
            else:
                translated = inbound_translation(self.profile, str(envelope["documentType"]), document)
                reference = f"XB-{self.partner}-{envelope['envelopeId']}"
                submission_id = await self.intake.submit(str(envelope["documentType"]), translated, reference)
        except InvalidInput as exc:
            text = "; ".join(f"{p.path or '/'}: {p.message}" for p in exc.problems) or exc.message
            await self._finish(envelope, sha256, REJECTED, ("PAYLOAD_INVALID", f"{exc.message}: {text}"[:1000]))
            return
        except TransientError:
            raise
        except NswError as exc:  # refused by our hub for another reason (access, conflict): not retryable
            await self._finish(envelope, sha256, REJECTED, ("OTHER", f"{exc.code}: {exc.message}"[:1000]))
            return
        await self._finish(envelope, sha256, APPLIED, None, submission_id)

    async def _finish(
        self,
        envelope: Mapping[str, Any],
        sha256: str,
        state: str,
        reason: tuple[str, str] | None,
        submission_id: str | None = None,
    ) -> None:
        outcome: envelopes.Outcome = "ACCEPTED" if state == APPLIED else "REJECTED"
        receipt = self._receipt_for(envelope, outcome, reason)
        stored = await self.store.record_inbound(
            self.partner, envelope, sha256, state, reason=reason, receipt=receipt, submission_id=submission_id
        )
        self.metrics.received(self.partner, state.lower())
        log.info(
            "envelope taken" if state == APPLIED else "envelope refused",
            partner=self.partner,
            outcome=outcome,
            reason=reason,
            submission_id=submission_id,
            **_ids(envelope),
        )
        await self._send_receipt(stored)

    async def _again(self, raw: bytes, head: Mapping[str, Any], earlier: ReceivedEnvelope) -> None:
        """The envelope id was seen: the same bytes are a redelivery, other bytes a reused id."""
        if _sha256_of(head) != earlier.envelope_sha256:
            text = f"envelope id {earlier.envelope_id} was already used for other content (sequence {earlier.sequence})"
            await self._quarantine(raw, head, ENVELOPE, ("ENVELOPE_ID_REUSED", text))
            return
        await self.store.count_redelivery(self.partner, earlier.envelope_id)
        self.metrics.redelivery(self.partner)
        log.info("redelivered envelope: original receipt sent again", partner=self.partner, **_ids(head))
        await self._send_receipt(earlier)

    async def _send_receipt(self, received: ReceivedEnvelope) -> None:
        if received.receipt is None:  # still waiting: the receipt goes once it is applied
            return
        body = canonical(received.receipt)
        await self.link.send(str(received.receipt["receiptId"]), RECEIPT, body)

    async def _wake_waiting(self) -> None:
        """Apply waiting envelopes whose prerequisite is now known (each may wake further ones)."""
        async with self._waking:
            progressed = True
            while progressed:
                progressed = False
                for waiting in await self.store.waiting(self.partner):
                    document = parse_json(str(waiting.envelope["payload"]))
                    if await missing_prerequisite(self.store, self.partner, waiting.envelope, document) is None:
                        await self._apply(waiting.envelope, document, waiting.envelope_sha256)
                        progressed = True

    async def reprocess_released(self) -> int:
        """Take again what an operator released from quarantine, verified again with today's profile."""
        entries = await self.store.released_unprocessed(self.partner)
        for entry in entries:
            raw = entry.raw.encode("utf-8")
            if entry.reason_code == "ENVELOPE_ID_REUSED" or entry.message_type != ENVELOPE:
                result = f"not taken again: a {entry.reason_code} {entry.message_type or 'message'} stays refused"
            else:
                result = await self._take_released(raw)
            await self.store.record_reprocessed(entry.id, result)
            log.info("released quarantine entry taken again", partner=self.partner, entry=entry.id, result=result)
        return len(entries)

    async def _take_released(self, raw: bytes) -> str:
        try:
            opened = envelopes.open_envelope(raw, **self._checks())
        except envelopes.Quarantined as exc:
            return f"still refused: {exc.code}: {exc.text}"
        if await self.store.received(self.partner, str(opened.envelope["envelopeId"])) is not None:
            return "already taken (a valid copy arrived meanwhile)"
        await self.take(opened.envelope, opened.document, opened.envelope_sha256)
        taken = await self.store.received(self.partner, str(opened.envelope["envelopeId"]))
        return f"taken: {taken.state if taken else 'unknown'}"

    async def wake(self) -> None:
        """The periodic sweep's entry: prerequisites may have become known through our own outbound side."""
        await self._wake_waiting()

    # -- checks, quarantine and receipts -----------------------------------------------------------------------
    def _profile_problem(self, envelope: Mapping[str, Any]) -> tuple[str, str] | None:
        document_type = str(envelope["documentType"])
        terms = self.profile.document("inbound", document_type)
        if terms is None:
            return (
                "NOT_IN_PARTNER_PROFILE",
                f"{document_type} is not in the inbound list of the {self.profile.country} profile",
            )
        if envelope["subject"] != terms.subject or envelope["schemaVersion"] != terms.schema_version:
            return (
                "UNKNOWN_SCHEMA",
                f"{document_type} is agreed as {terms.subject} v{terms.schema_version}, "
                f"the envelope says {envelope['subject']} v{envelope['schemaVersion']}",
            )
        ours = fingerprint(document_type)
        if envelope["schemaFingerprint"] != ours:
            return "UNKNOWN_SCHEMA", f"schema fingerprint {envelope['schemaFingerprint']} differs from ours ({ours})"
        return None

    def _checks(self) -> dict[str, Any]:
        """What verification compares an arriving envelope or receipt with: the profile as it is now."""
        return {
            "expected_sender": self.partner_address,
            "expected_receiver": dict(self.home),
            "verify_key": self._key_verdict,
            "clock_skew": self.profile.clock_skew,
            "max_age": self.max_link_delay,
        }

    def _key_verdict(self, key_id: str, at: datetime) -> KeyVerdict:
        return self.profile.key_verdict(key_id, at)

    async def _quarantine(
        self, raw: bytes, head: Mapping[str, Any] | None, message_type: str | None, reason: tuple[str, str]
    ) -> None:
        envelope_id = head.get("envelopeId") if head and isinstance(head.get("envelopeId"), str) else None
        entry, created = await self.store.quarantine(
            self.partner, raw, hashlib.sha256(raw).hexdigest(), envelope_id, message_type, reason
        )
        if created:
            self.metrics.quarantined(self.partner, reason[0])
        log.error(
            "quarantined",
            partner=self.partner,
            entry=entry.id,
            reason_code=reason[0],
            reason=reason[1],
            envelope_id=envelope_id,
            again=not created,
        )
        if message_type == ENVELOPE and head is not None and created:
            receipt = self._quarantine_receipt(head, reason)
            if receipt is not None:
                await self.link.send(str(receipt["receiptId"]), RECEIPT, canonical(receipt))

    def _quarantine_receipt(self, head: Mapping[str, Any], reason: tuple[str, str]) -> dict[str, Any] | None:
        """A QUARANTINED receipt when the envelope names enough to answer (else the sender's sweep resends).

        Only for an envelope the partner addressed to us: a receipt goes to the envelope's sender from its
        receiver, and this link reaches only the partner, and we sign only as ourselves."""
        if head.get("sender") != self.partner_address or head.get("receiver") != dict(self.home):
            return None
        try:
            return self._receipt_for(envelopes.parse_envelope(canonical(head)), "QUARANTINED", reason)
        except (envelopes.Quarantined, InvalidInput, ValueError):
            return None

    def _receipt_for(
        self, envelope: Mapping[str, Any], outcome: envelopes.Outcome, reason: tuple[str, str] | None
    ) -> dict[str, Any]:
        return envelopes.sign_receipt(
            envelope,
            outcome=outcome,
            key=self.signing_key(),
            received_at=utcnow(),
            reason={"code": reason[0], "text": reason[1]} if reason else None,
        )


def _readable(raw: bytes) -> dict[str, Any]:
    """The envelope as far as it parses (for its id and hash before verification); {} when it does not, or
    when it is too large to be an envelope (not parsed at all: the broker's limit is far above ours)."""
    if len(raw) > envelopes.MAX_ENVELOPE_BYTES:
        return {}
    try:
        value = parse_json(raw)
    except (InvalidInput, UnicodeDecodeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _sha256_of(envelope: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(envelope)).hexdigest()


def _ids(envelope: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "envelope_id": envelope.get("envelopeId"),
        "sequence": envelope.get("partnerSequence"),
        "document_type": envelope.get("documentType"),
        "document_id": envelope.get("documentId"),
    }
