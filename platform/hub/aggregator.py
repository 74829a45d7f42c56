"""The aggregator: decisions, delivery reports and dead letters in; consolidated statuses out.

A decision counts only if the broker-validated ``user_id`` is the deciding agency's own broker user (the
catalogue says which); anything else is refused, logged and parked for operators. Decisions are
applied once per ``message_id``; an agency's higher sequence number revises its own earlier decision.

A dead letter counts only as far as the broker vouches for it: the newest ``x-death`` entry (the broker's,
whatever a publisher forged behind it) must name an agency inbox, which gives the agency; its message id
must be a message the hub itself sent to that agency, which gives submission, version and attempt. So an
agency can at most mark its OWN recipient failed on a delivery the hub really sent it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from typing import Any

import structlog

from singlewindow.platform.aggregation import Decision, DecisionStatus, TransportState
from singlewindow.platform.catalogue import Catalogue
from singlewindow.platform.dlq import death_reason, newest_death
from singlewindow.platform.errors import AccessDenied, InvalidInput, Problem
from singlewindow.platform.hub.batches import settle_batch
from singlewindow.platform.hub.codec import DocumentCodec
from singlewindow.platform.hub.consumer import settle
from singlewindow.platform.hub.messages import (
    AGENCY_DECISION,
    CANCELLATION_NOTICE,
    DELIVERY_REPORT,
    NOTICE_DECISION_NOT_APPLIED,
    decision_tag,
    notice_document,
    notice_message,
)
from singlewindow.platform.hub.sent import SentMessages
from singlewindow.platform.specs import DocumentValidator
from singlewindow.platform.state import OutboxMessage, OutboxRelay, RecipientStore
from singlewindow.platform.state.changes import Change, DecisionChange, Outcome, StatusChange, TransportChange
from singlewindow.platform.state.common import utcnow
from singlewindow.platform.state.recipients import AfterChanges
from singlewindow.platform.topology import names
from singlewindow.platform.transport import Delivery

log = structlog.get_logger(__name__)

# What the decision spec cannot say with JSON Schema alone (no if/then: it has no Avro twin).
_REQUIRED_BY_STATUS = {
    DecisionStatus.ACCEPTED_WITH_CONDITIONS: ("conditions", "an acceptance with conditions lists them"),
    DecisionStatus.REJECTED: ("reasons", "a rejection gives its reasons"),
    DecisionStatus.QUERY: ("query", "a query asks a question"),
}


def decision_rule_problems(document: dict[str, Any]) -> list[Problem]:
    status = DecisionStatus(document["status"])
    rule = _REQUIRED_BY_STATUS.get(status)
    if rule is not None and not document.get(rule[0]):
        return [Problem(f"/{rule[0]}", "required-by-status", f"{status.value}: {rule[1]}")]
    return []


class AggregatorService:
    def __init__(
        self,
        recipients: RecipientStore,
        catalogue: Callable[[], Catalogue],
        validator: DocumentValidator,
        codec: DocumentCodec,
        relay: OutboxRelay,
        sent: SentMessages,
        after: AfterChanges | None = None,
    ) -> None:
        self._recipients = recipients
        self._after = after
        self._sent = sent
        self._catalogue = catalogue
        self._validator = validator
        self._codec = codec
        self._relay = relay

    async def handle_decisions(self, deliveries: Sequence[Delivery]) -> None:
        """A batch from the decisions queue (``hub.batches``): each message read and its sender checked on its
        own, the batch applied in one transaction (``settle_batch`` says what happens when something fails)."""
        await settle_batch("aggregator", deliveries, self._change, self._apply, self._applied)

    async def _apply(self, changes: list[Change]) -> list[Outcome]:
        outcomes, rows = await self._recipients.apply_changes(changes, self._after)
        self._relay.publish_soon(rows)
        return outcomes

    @staticmethod
    def _applied(change: Change, outcome: object) -> None:
        if isinstance(change, DecisionChange):
            log.info(
                "decision applied",
                submission_id=change.submission_id,
                agency=change.recipient,
                status=change.decision.status.value,
                sequence=change.decision.sequence,
                consolidated=outcome.status.value if isinstance(outcome, StatusChange) else None,
            )

    async def _change(self, delivery: Delivery) -> Change:
        """What a message on the decisions queue asks for, once it is read and its sender checked."""
        if delivery.type == AGENCY_DECISION:
            return await self._decision(delivery)
        if delivery.type == DELIVERY_REPORT:
            return await self._delivery_report(delivery)
        raise InvalidInput(f"unexpected message type {delivery.type!r} on the decisions queue")

    async def handle_dead_letter(self, delivery: Delivery) -> None:
        """A document an agency's adapter could not deliver: its recipient becomes DELIVERY_FAILED.

        Only what the broker and the hub's own record vouch for is used (module docstring); anything else
        is refused with the reason and parked in nsw.hub.dlq, never applied.
        """
        async with settle(delivery, "deadletters"):
            death = newest_death(delivery.headers)
            queue = death.get("queue") if death is not None else None
            agency = self._inbox_agencies().get(queue) if isinstance(queue, str) else None
            if death is None or agency is None:
                raise AccessDenied(
                    f"dead letter {delivery.message_id!r}: its newest x-death names {queue!r}, not a recipient's inbox"
                )
            sent = await self._sent.to_agency(delivery.message_id)
            if sent is None or sent.agency != names.agency_routing_key(agency):
                raise AccessDenied(
                    f"dead letter {delivery.message_id!r} from {queue}: "
                    f"the hub sent no message with this id to {agency}"
                )
            broker_reason = str(death.get("reason") or "unknown")
            reason = death_reason(delivery.headers) or broker_reason  # the agency's own words: data only
            if sent.message.type == CANCELLATION_NOTICE:
                # Not a delivery: the version is over for this agency either way; the notice waits in its
                # DLQ for an operator's replay, and the recipient's state (a decided or cancelled one) stays.
                log.error(
                    "cancellation notice dead-lettered",
                    submission_id=sent.submission_id,
                    version=sent.version,
                    recipient=agency,
                    reason=reason,
                    message_id=sent.message.message_id,
                )
                return
            _, rows = await self._recipients.apply_transport(
                sent.submission_id,
                sent.version,
                agency,
                TransportState.DELIVERY_FAILED,
                sent.attempt or 1,
                "dead-letter",
                {"reason": reason, "broker_reason": broker_reason, "message_id": sent.message.message_id},
            )
            log.error("delivery failed", submission_id=sent.submission_id, recipient=agency, reason=reason)
            self._relay.publish_soon(rows)

    async def run_deadlines(self, stop: asyncio.Event, interval_seconds: float = 5.0) -> None:
        """Mark recipients OVERDUE when their deadline passes; deadlines are rows, so this survives restarts."""
        while not stop.is_set():
            try:
                _, rows = await self._recipients.mark_overdue(utcnow())
                self._relay.publish_soon(rows)
            except Exception as exc:
                log.warning("deadline scan failed", error=str(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval_seconds)

    async def _decision(self, delivery: Delivery) -> DecisionChange:
        document = await self._codec.decode(AGENCY_DECISION, delivery.body)
        agency = document["agency"]
        self._check_sender(delivery, agency)
        problems = self._validator.validate(AGENCY_DECISION, document) + decision_rule_problems(document)
        if problems:
            raise InvalidInput(f"decision from {agency} is invalid", problems)
        decision = Decision(
            DecisionStatus(document["status"]),
            int(document["decisionSequence"]),
            document.get("channel"),
            tuple((c["code"], c["text"]) for c in document.get("conditions", [])),
        )
        message_id = delivery.message_id or f"{document['documentId']}"
        submission_id, version = str(document["submissionId"]), int(document["submissionVersion"])

        def not_applied(reason: str, superseded_by: int | None) -> OutboxMessage:
            notice_id, notice = notice_document(
                submission_id=submission_id,
                version=version,
                ucr=str(document["ucr"]),
                recipient=agency,
                kind=NOTICE_DECISION_NOT_APPLIED,
                reason=reason,
                issued_at=utcnow(),
                superseded_by=superseded_by,
                decision_sequence=decision.sequence,
                tag=decision_tag(message_id),
            )
            body = self._codec.encode(CANCELLATION_NOTICE, notice)
            return notice_message(notice_id, notice, body, self._codec.content_type)

        return DecisionChange(
            submission_id, version, agency, decision, document, delivery.user_id or agency, message_id, not_applied
        )

    async def _delivery_report(self, delivery: Delivery) -> TransportChange:
        report = await self._codec.decode(DELIVERY_REPORT, delivery.body)
        agency = report["recipient"]
        self._check_sender(delivery, agency)
        return TransportChange(
            report["submissionId"],
            int(report["submissionVersion"]),
            agency,
            TransportState.DELIVERED,
            int(report["attempt"]),
            delivery.user_id or agency,
            {"deliveredAt": report["deliveredAt"]},
        )

    def _check_sender(self, delivery: Delivery, agency: str) -> None:
        recipient = self._catalogue().by_broker_user(delivery.user_id) if delivery.user_id else None
        if recipient is None or recipient.id != agency:
            log.warning(
                "decision refused: sender is not the agency",
                agency=agency,
                user_id=delivery.user_id,
                message_id=delivery.message_id,
            )
            raise AccessDenied(f"a message in the name of {agency!r} must carry that agency's validated user_id")

    def _inbox_agencies(self) -> dict[str, str]:
        """Inbox -> recipient (agency or partner hub): the queues that dead-letter into nsw.deadletters."""
        return {names.inbox_queue(a.id): a.id for a in self._catalogue().with_inbox()}
