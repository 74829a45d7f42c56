"""What travels in and out of the officer queue: a queued document as an officer sees it, an officer's
decision as they state it (checked with the decision spec's rules), and a decision waiting to be published."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from singlewindow.platform.aggregation import DecisionStatus
from singlewindow.platform.hub.messages import rfc3339_millis

_CODE = r"^[A-Z0-9][A-Z0-9._-]{0,19}$"


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CodedText(_Value):
    code: str = Field(pattern=_CODE)
    text: str = Field(min_length=1, max_length=1000)


class QueryText(_Value):
    question: str = Field(min_length=1, max_length=2000)
    respondBy: AwareDatetime | None = None


class OfficerDecisionInput(_Value):
    """An officer's decision on the document they pulled (``ticket`` is the queue id ``next`` returned)."""

    ticket: int = Field(ge=1)
    status: DecisionStatus
    channel: str | None = Field(default=None, pattern=r"^(GREEN|YELLOW|RED)$")
    conditions: tuple[CodedText, ...] = ()
    reasons: tuple[CodedText, ...] = ()
    query: QueryText | None = None
    officerName: str | None = Field(default=None, min_length=1, max_length=70)

    @model_validator(mode="after")
    def _spec_rules(self) -> OfficerDecisionInput:
        status = self.status
        if (status is DecisionStatus.ACCEPTED_WITH_CONDITIONS) != bool(self.conditions):
            raise ValueError("conditions are given exactly when the status is ACCEPTED_WITH_CONDITIONS")
        if status is DecisionStatus.REJECTED and not self.reasons:
            raise ValueError("REJECTED needs at least one reason")
        if (status is DecisionStatus.QUERY) != (self.query is not None):
            raise ValueError("a query is given exactly when the status is QUERY")
        if self.channel == "GREEN" and status is not DecisionStatus.ACCEPTED:
            raise ValueError("channel GREEN goes only with ACCEPTED")
        if self.channel in ("YELLOW", "RED") and status is not DecisionStatus.INSPECTION_REQUIRED:
            raise ValueError("channels YELLOW and RED go only with INSPECTION_REQUIRED")
        return self

    def content(self, officer_id: str, decided_at: datetime) -> dict[str, Any]:
        """The stored decision: the business content of an agency-decision, without hub bookkeeping."""
        officer = {"id": officer_id[:35], **({"name": self.officerName} if self.officerName else {})}
        body: dict[str, Any] = {
            "status": self.status.value,
            "conditions": [c.model_dump() for c in self.conditions],
            "reasons": [r.model_dump() for r in self.reasons],
            "officer": officer,
            "decidedAt": rfc3339_millis(decided_at),
        }
        if self.channel is not None:
            body["channel"] = self.channel
        if self.query is not None:
            body["query"] = {"question": self.query.question}
            if self.query.respondBy is not None:
                body["query"]["respondBy"] = rfc3339_millis(self.query.respondBy)
        return body


@dataclass(frozen=True, slots=True)
class QueuedDocument:
    ticket: int
    agency: str
    submission_id: str
    version: int
    attempt: int
    ucr: str
    view: str
    document: Mapping[str, Any]
    enqueued_at: datetime
    claimed_by: str | None
    claim_expires_at: datetime | None
    decided: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "ticket": self.ticket,
            "agency": self.agency,
            "submissionId": self.submission_id,
            "version": self.version,
            "attempt": self.attempt,
            "ucr": self.ucr,
            "view": self.view,
            "document": dict(self.document),
            "enqueuedAt": rfc3339_millis(self.enqueued_at),
            "claimExpiresAt": rfc3339_millis(self.claim_expires_at) if self.claim_expires_at else None,
            "decided": self.decided,
        }


@dataclass(frozen=True, slots=True)
class RecordedDecision:
    """An officer's decision as the agency's adapter reads it to publish under the agency's broker user."""

    id: int
    ticket: int
    agency: str
    submission_id: str
    version: int
    ucr: str
    officer_id: str
    decision: Mapping[str, Any]
    decided_at: datetime
    published: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "ticket": self.ticket,
            "agency": self.agency,
            "submissionId": self.submission_id,
            "version": self.version,
            "ucr": self.ucr,
            "officerId": self.officer_id,
            "decision": dict(self.decision),
            "decidedAt": rfc3339_millis(self.decided_at),
            "published": self.published,
        }
