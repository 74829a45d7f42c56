"""What travels in and out of the officer queue: a queued document as an officer sees it, an officer's
decision as they state it (checked with the decision spec's rules), and a decision waiting to be published."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from singlewindow.platform.aggregation import DecisionStatus
from singlewindow.platform.inputs import INT32_MAX, int_field
from singlewindow.platform.state.common import rfc3339_millis

_CODE = r"^[A-Z0-9][A-Z0-9._-]{0,19}$"
_POINTER = r"^(/([^~/]|~[01])*)+$"


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CodedText(_Value):
    code: str = Field(pattern=_CODE)
    text: str = Field(min_length=1, max_length=1000)


class QueryText(_Value):
    """The question and, optionally, the fields it is about: JSON pointers into the agency's view, as the
    decision spec's ``query.fields``."""

    question: str = Field(min_length=1, max_length=2000)
    respondBy: AwareDatetime | None = None
    fields: tuple[Annotated[str, Field(min_length=2, max_length=1000, pattern=_POINTER)], ...] = Field(
        default=(), max_length=50
    )


_KINDS = Literal["cancelled", "superseded", "replaced", "decision-not-applied"]


class WithdrawalInput(_Value):
    """The agency's adapter passes on the hub's notice that a version must no longer be worked on."""

    submissionId: str = Field(min_length=1, max_length=40)
    version: int = int_field(1, INT32_MAX)
    kind: _KINDS
    reason: str = Field(min_length=1, max_length=1000)
    supersededBy: int | None = int_field(1, INT32_MAX, default=None)


class AnswerInput(_Value):
    """The adapter passes on the trader's answer to an officer's query on one version."""

    submissionId: str = Field(min_length=1, max_length=40)
    version: int = int_field(1, INT32_MAX)
    queryId: str = Field(min_length=1, max_length=200)
    querySequence: int = int_field(0, INT32_MAX)
    answer: str = Field(min_length=1, max_length=4000)


class ReplacesInput(_Value):
    """On a queued new version: the version it replaces and the view's JSON pointers that changed."""

    version: int = int_field(1, INT32_MAX)
    changes: tuple[Annotated[str, Field(max_length=1000)], ...] = Field(default=(), max_length=500)


class OfficerDecisionInput(_Value):
    """An officer's decision on the document they pulled (``ticket`` is the queue id ``next`` returned)."""

    ticket: int = int_field(1)
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
            if self.query.fields:
                body["query"]["fields"] = list(self.query.fields)
        return body


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """Why an item left the queue: ``kind`` is cancelled, superseded, replaced or decision-not-applied."""

    kind: str
    reason: str
    at: datetime
    superseded_by: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "reason": self.reason,
            "at": rfc3339_millis(self.at),
            "supersededBy": self.superseded_by,
        }


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
    withdrawn: Withdrawal | None = None
    """Set when the version was cancelled, superseded or replaced: nobody decides on it any more."""
    replaces: Mapping[str, Any] | None = None
    """``{"version", "changes"}`` when this item is a new version of one the agency had."""
    answers: tuple[Mapping[str, Any], ...] = ()
    """The trader's answers to the officers' queries on this version, oldest first."""

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
            "claimedBy": self.claimed_by,
            "claimExpiresAt": rfc3339_millis(self.claim_expires_at) if self.claim_expires_at else None,
            "decided": self.decided,
            "withdrawn": self.withdrawn.as_dict() if self.withdrawn else None,
            "replaces": dict(self.replaces) if self.replaces else None,
            "answers": [dict(a) for a in self.answers],
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
