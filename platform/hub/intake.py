"""Intake: the operations a trader or broker calls (Submit, Amend, Cancel, RespondToQuery, Get, List).

One implementation behind gRPC and HTTP. Order of a submit: authenticate (done by the API), authorise,
check size, validate against the spec (nothing invalid is stored or queued), store the version and its
outbox message in one transaction, publish with confirm, and only then answer RECEIVED.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import structlog

from singlewindow.platform.aggregation import Consolidated, DecisionStatus
from singlewindow.platform.errors import AccessDenied, Conflict, InvalidInput, NotFound, PayloadTooLarge, Problem
from singlewindow.platform.hub.access import Access
from singlewindow.platform.hub.codec import DocumentCodec
from singlewindow.platform.hub.messages import (
    CANCELLATION_NOTICE,
    NOTICE_CANCELLED,
    intake_message,
    notice_document,
    notice_message,
    query_response_message,
)
from singlewindow.platform.hub.views import SubmissionView, read_submission, received
from singlewindow.platform.identity import GrantScope, Principal
from singlewindow.platform.inputs import check_text, forbidden_character, require_clean
from singlewindow.platform.specs import DocumentValidator
from singlewindow.platform.state import (
    Enqueued,
    NewVersion,
    OutboxMessage,
    OutboxRelay,
    RecipientStore,
    SubmissionRecord,
    SubmissionStore,
)
from singlewindow.platform.state.common import rfc3339_millis, utcnow

log = structlog.get_logger(__name__)

TRADER_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")


@dataclass(frozen=True, slots=True)
class IntakeLimits:
    max_document_bytes: int
    submittable_types: frozenset[str]


class IntakeService:
    def __init__(
        self,
        submissions: SubmissionStore,
        recipients: RecipientStore,
        validator: DocumentValidator,
        codec: DocumentCodec,
        relay: OutboxRelay,
        access: Access,
        limits: IntakeLimits,
    ) -> None:
        self._submissions = submissions
        self._recipients = recipients
        self._validator = validator
        self._codec = codec
        self._relay = relay
        self._access = access
        self._limits = limits

    async def submit(
        self,
        principal: Principal,
        document_type: str,
        document: Mapping[str, Any],
        trader_reference: str | None = None,
        declarant: str | None = None,
    ) -> tuple[SubmissionView, bool]:
        """Store and announce a new submission; the same reference and payload again returns the same one.

        The trader reference defaults to the document's own ``traderReference``; both given must agree.
        """
        declarant_id = await self._access.declarant_for_submit(principal, declarant)
        in_document = document.get("traderReference")
        if trader_reference is not None and in_document is not None and trader_reference != in_document:
            raise InvalidInput(
                "two trader references",
                [
                    Problem(
                        "/traderReference",
                        "mismatch",
                        f"the request says {trader_reference!r}, the document {in_document!r}",
                    )
                ],
            )
        trader_reference = trader_reference or in_document
        if not isinstance(trader_reference, str) or not TRADER_REFERENCE.match(trader_reference):
            raise InvalidInput(
                "bad trader reference",
                [Problem("/traderReference", "pattern", f"must match {TRADER_REFERENCE.pattern}")],
            )
        self._check(document_type, document)
        submission_id = f"s_{secrets.token_hex(8)}"
        new = self._new_version(submission_id, declarant_id, principal, trader_reference, document_type, document)
        record, created, rows = await self._submissions.create(new)
        log.info("submission received", submission_id=record.id, created=created, actor=principal.name)
        # A new submission's answer is what intake stored (RECEIVED), even if the router was quicker than us:
        # nothing to read back. The same submission again is read as it stands now.
        view = received(record) if created else await self.get(principal, record.id)
        await self._publish(rows)
        return view, created

    async def amend(self, principal: Principal, submission_id: str, document: Mapping[str, Any]) -> SubmissionView:
        """A new version; its recipients are evaluated afresh by the router."""
        record = await self._record(principal, submission_id, GrantScope.SUBMIT)
        self._check(record.document_type, document)
        if document.get("ucr") != (await self._submissions.version(submission_id, 1)).document.get("ucr"):
            raise InvalidInput(
                "an amendment keeps the consignment reference",
                [Problem("/ucr", "immutable", "the UCR of a submission cannot change; submit anew")],
            )
        new = self._new_version(
            submission_id, record.declarant_id, principal, record.trader_reference, record.document_type, document
        )
        _, rows = await self._submissions.amend(new)
        view = await self.get(principal, submission_id)
        await self._publish(rows)
        return replace(view, status=Consolidated.RECEIVED, recipients=()) if rows else view

    async def cancel(self, principal: Principal, submission_id: str, reason: str) -> SubmissionView:
        """Cancel the current version; every agency it was sent to gets a cancellation-notice (same transaction)."""
        check_text(reason, "/reason")
        record = await self._record(principal, submission_id, GrantScope.SUBMIT)
        told = reason if reason.lower().startswith("cancelled") else f"cancelled by the declarant: {reason}"
        now = utcnow()

        def notice(recipient: str, version: int) -> OutboxMessage:
            message_id, document = notice_document(
                submission_id=submission_id,
                version=version,
                ucr=record.ucr,
                recipient=recipient,
                kind=NOTICE_CANCELLED,
                reason=told,
                issued_at=now,
            )
            body = self._codec.encode(CANCELLATION_NOTICE, document)
            return notice_message(message_id, document, body, self._codec.content_type)

        _, rows = await self._submissions.cancel(submission_id, principal.id, reason, notice)
        await self._publish(rows)
        return await self.get(principal, submission_id)

    async def respond_to_query(
        self, principal: Principal, submission_id: str, recipient: str, answer: str
    ) -> SubmissionView:
        """Send the trader's answer to the agency that asked; the agency decides again afterwards."""
        record = await self._record(principal, submission_id, GrantScope.SUBMIT)
        if not answer.strip():
            raise InvalidInput("empty answer", [Problem("/answer", "minLength", "the answer must not be empty")])
        check_text(answer, "/answer")
        version = record.current_version
        states = {state.recipient: state for state, _ in await self._recipients.states(submission_id, version)}
        state = states.get(recipient)
        if state is None or state.decision is None or state.decision.status is not DecisionStatus.QUERY:
            # Answered already (the agency may have decided again since): the same answer is a repeat.
            answers = await self._recipients.query_answers(submission_id, version, recipient) if state else []
            if answers and answers[-1].get("answer") == answer:
                return await self.get(principal, submission_id)
            raise Conflict(
                f"{recipient} has no open query on version {version} of {submission_id}"
                + ("; its last query was already answered with another answer" if answers else "")
            )
        response = {
            "documentId": f"answer-{submission_id}-v{version}-{recipient}-{state.decision.sequence}",
            "ucr": record.ucr,
            "issuedAt": rfc3339_millis(utcnow()),
            "references": [{"type": "SUBMISSION", "id": submission_id}],
            "submissionId": submission_id,
            "submissionVersion": version,
            "recipient": recipient,
            "querySequence": state.decision.sequence,
            "answer": answer,
            "answeredBy": principal.name,
        }
        message = query_response_message(
            submission_id,
            version,
            recipient,
            state.decision.sequence,
            self._codec.encode("query-response", response),
            self._codec.content_type,
        )
        rows = await self._recipients.record_query_response(
            submission_id, version, recipient, principal.id, response, message
        )
        await self._publish(rows)
        return await self.get(principal, submission_id)

    async def get(self, principal: Principal, submission_id: str) -> SubmissionView:
        record = await self._record(principal, submission_id, GrantScope.READ)
        return await read_submission(self._submissions, self._recipients, record)

    async def document(self, principal: Principal, submission_id: str) -> tuple[int, Mapping[str, Any]]:
        """The current version's number and document, to amend from (same grants and 404s as ``get``)."""
        record = await self._record(principal, submission_id, GrantScope.READ)
        return record.current_version, (await self._submissions.version(submission_id, record.current_version)).document

    async def _record(self, principal: Principal, submission_id: str, scope: GrantScope) -> SubmissionRecord:
        """The submission if ``principal`` may use it in ``scope``. One it may not even read is NotFound, the
        same answer as for an id that does not exist, so ids cannot be probed (nor can an id the hub never
        makes, with a character the text rule refuses, reach the database)."""
        try:
            if forbidden_character(submission_id) is not None:
                raise NotFound(submission_id)
            record = await self._submissions.get(submission_id)
            await self._access.require(principal, record.declarant_id, GrantScope.READ)
        except (NotFound, AccessDenied):
            raise NotFound(f"no submission {submission_id}") from None
        await self._access.require(principal, record.declarant_id, scope)
        return record

    async def list_submissions(
        self, principal: Principal, status: str | None = None, limit: int = 100
    ) -> list[SubmissionView]:
        declarants = await self._access.declarants(principal, GrantScope.READ)
        if declarants == []:
            return []
        wanted = Consolidated(status) if status else None
        rows = await self._submissions.find(declarants, wanted, min(max(limit, 1), 1000))
        return [await read_submission(self._submissions, self._recipients, record) for record, _ in rows]

    # -- helpers ------------------------------------------------------------------------------------------
    def _check(self, document_type: str, document: Mapping[str, Any]) -> None:
        if document_type not in self._limits.submittable_types:
            raise InvalidInput(
                f"{document_type!r} cannot be submitted",
                [Problem("/documentType", "enum", f"one of {sorted(self._limits.submittable_types)}")],
            )
        # The input rules first: text, depth and number range (before json.dumps, which a 5,000-digit int or
        # a 10,000-deep value would break); then size; then the spec.
        require_clean(document, "", f"the {document_type}")
        size = len(json.dumps(document, separators=(",", ":")).encode())
        if size > self._limits.max_document_bytes:
            raise PayloadTooLarge(
                f"document is {size} bytes; the limit is {self._limits.max_document_bytes}",
                [Problem("", "maxBytes", f"at most {self._limits.max_document_bytes} bytes; attach files by hash")],
            )
        problems = self._validator.validate(document_type, document)
        if problems:
            raise InvalidInput(f"{document_type} is invalid ({len(problems)} problems)", problems)

    def _new_version(
        self,
        submission_id: str,
        declarant_id: str,
        principal: Principal,
        trader_reference: str,
        document_type: str,
        document: Mapping[str, Any],
    ) -> NewVersion:
        body = self._codec.encode(document_type, document)
        references = [(ref["type"], ref["id"]) for ref in document.get("references", [])]
        return NewVersion(
            submission_id,
            declarant_id,
            principal.id,
            trader_reference,
            document_type,
            document,
            references,
            lambda version: intake_message(
                submission_id, version, declarant_id, document_type, body, self._codec.content_type
            ),
        )

    async def _publish(self, rows: list[Enqueued]) -> None:
        if rows:
            await self._relay.publish_now(rows)
