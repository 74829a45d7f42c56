"""Who may use the officer queue, and the checks on what goes in.

* An agency's adapter (role ``agency``) queues documents routed to its own agency, and reads and marks
  published its officers' decisions. What it queues must be the agency's own view of a submission version
  routed to it, valid against that view's spec: officers see that view and nothing more.
* The adapter also passes on the hub's lifecycle notices for its agency's versions: withdraw (cancelled,
  superseded) and a trader's answer to a query, which puts the item back in front of the officers.
* An officer (role ``officer``) pulls the next document of its own agency (or lists the queue, claims one
  and releases it) and decides on it; it can never reach another agency's queue or decide in another
  agency's name. Its actions are in the submission's history, and it reads back its agency's part of it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from singlewindow.platform.catalogue import Catalogue
from singlewindow.platform.errors import AccessDenied, InvalidInput, NotFound, Problem
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.officers.claims import OfficerClaims
from singlewindow.platform.officers.history import agency_history
from singlewindow.platform.officers.models import (
    AnswerInput,
    OfficerDecisionInput,
    QueuedDocument,
    RecordedDecision,
    ReplacesInput,
    WithdrawalInput,
)
from singlewindow.platform.officers.queue import OfficerQueue
from singlewindow.platform.specs import DocumentValidator
from singlewindow.platform.state import RecipientStore
from singlewindow.platform.state.common import utcnow
from singlewindow.platform.state.events import EventLog


def agency_of(principal: Principal, role: Role) -> str:
    if principal.role is not role or principal.agency is None:
        raise AccessDenied(f"this needs an {role.value} principal; {principal.name} is a {principal.role.value}")
    return principal.agency


class OfficerService:
    def __init__(
        self,
        queue: OfficerQueue,
        recipients: RecipientStore,
        catalogue: Callable[[], Catalogue],
        validator: DocumentValidator,
        claims: OfficerClaims,
        events: EventLog,
    ) -> None:
        self.queue = queue
        self._claims = claims
        self._events = events
        self._recipients = recipients
        self._catalogue = catalogue
        self._validator = validator

    async def enqueue(
        self, principal: Principal, document: Mapping[str, Any], attempt: int, replaces: ReplacesInput | None = None
    ) -> tuple[QueuedDocument, bool]:
        """The adapter hands over one view document; (queued document, newly queued)."""
        agency = agency_of(principal, Role.AGENCY)
        view = self._catalogue().get(agency).view
        problems = self._validator.validate(view, document)
        if problems:
            raise InvalidInput(f"not a valid {view} document", problems)
        if document.get("recipient") != agency:
            raise AccessDenied(f"the document is addressed to {document.get('recipient')!r}, not {agency!r}")
        submission_id, version = str(document["submissionId"]), int(document["submissionVersion"])
        await self._routed(agency, submission_id, version)
        if attempt < 1:
            raise InvalidInput("attempt must be 1 or more", [Problem("/attempt", "minimum", "at least 1")])
        if replaces is not None and replaces.version >= version:
            raise InvalidInput(
                "a version replaces only an older one", [Problem("/replaces/version", "maximum", f"below {version}")]
            )
        return await self.queue.enqueue(
            agency, submission_id, version, attempt, str(document["ucr"]), view, document, principal.id,
            replaces.model_dump() if replaces is not None else None,
        )  # fmt: skip

    async def withdraw(self, principal: Principal, notice: WithdrawalInput) -> list[QueuedDocument]:
        """The hub told the adapter to stop working on a version: its items leave the queue."""
        agency = agency_of(principal, Role.AGENCY)
        await self._routed(agency, notice.submissionId, notice.version)
        return await self.queue.withdraw(
            agency, notice.submissionId, notice.version, notice.kind, notice.reason, notice.supersededBy
        )

    async def answer(self, principal: Principal, answer: AnswerInput) -> QueuedDocument:
        """A trader's answer to an officer's query: the item is back in the queue with the answer shown."""
        agency = agency_of(principal, Role.AGENCY)
        await self._routed(agency, answer.submissionId, answer.version)
        return await self.queue.answer(
            agency,
            answer.submissionId,
            answer.version,
            {"queryId": answer.queryId, "querySequence": answer.querySequence, "answer": answer.answer},
        )

    async def _routed(self, agency: str, submission_id: str, version: int) -> None:
        routed = {state.recipient for state, _ in await self._recipients.states(submission_id, version)}
        if agency not in routed:
            raise AccessDenied(f"version {version} of {submission_id} was not routed to {agency}")

    async def next(self, principal: Principal) -> QueuedDocument | None:
        return await self.queue.claim_next(agency_of(principal, Role.OFFICER), principal.id)

    async def decide(self, principal: Principal, decision: OfficerDecisionInput) -> RecordedDecision:
        agency = agency_of(principal, Role.OFFICER)
        now = utcnow()
        return await self.queue.record_decision(
            agency, decision.ticket, principal.id, decision.content(principal.name, now), now
        )

    async def unpublished(self, principal: Principal, limit: int) -> list[RecordedDecision]:
        return await self.queue.unpublished(agency_of(principal, Role.AGENCY), limit)

    async def mark_published(self, principal: Principal, decision_id: int) -> RecordedDecision:
        return await self.queue.mark_published(agency_of(principal, Role.AGENCY), decision_id)

    async def ticket(self, principal: Principal, ticket: int) -> QueuedDocument:
        """A document of the caller's agency queue (officer or adapter); NotFound for any other agency's."""
        agency = principal.agency if principal.role in (Role.AGENCY, Role.OFFICER) else None
        if agency is None:
            raise NotFound(f"no document {ticket}")
        return await self.queue.get(agency, ticket)

    async def open_items(self, principal: Principal) -> list[QueuedDocument]:
        return await self._claims.open_items(agency_of(principal, Role.OFFICER))

    async def claim(self, principal: Principal, ticket: int) -> QueuedDocument:
        return await self._claims.claim(agency_of(principal, Role.OFFICER), ticket, principal.id)

    async def release(self, principal: Principal, ticket: int) -> QueuedDocument:
        return await self._claims.release(agency_of(principal, Role.OFFICER), ticket, principal.id)

    async def history(self, principal: Principal, ticket: int) -> list[dict[str, Any]]:
        """The agency's part of the history of the submission behind one of its documents."""
        agency = agency_of(principal, Role.OFFICER)
        item = await self.queue.get(agency, ticket)
        return await agency_history(self._events, agency, item.submission_id)
