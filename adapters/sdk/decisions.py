"""What an adapter says about a document: a ``DecisionDraft``, which the SDK turns into an agency-decision.

The author fills in only the business content. The SDK adds everything the hub needs to trust and order
the decision: the agency id, the submission version, the ``decisionSequence`` (persisted per submission
version, so a revision always gets a higher number), the document id, timestamps, and the broker user.
The rules the decision spec states in words are checked here, so a bad draft fails in the adapter with a
clear message instead of being dead-lettered by the hub later.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from singlewindow.platform.aggregation import DecisionStatus

_CODE = r"^[A-Z0-9][A-Z0-9._-]{0,19}$"
_POINTER = r"^(/([^~/]|~[01])*)+$"
"""A JSON pointer (RFC 6901) with at least one step, as the decision spec's ``query.fields`` allows."""
_POINTER_RE = re.compile(_POINTER)
_MAX_FIELDS = 50


class Channel(StrEnum):
    """Customs risk channel: GREEN goes only with ACCEPTED; YELLOW/RED with INSPECTION_REQUIRED."""

    GREEN = "GREEN"
    YELLOW = "YELLOW"
    RED = "RED"


class _Value(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Condition(_Value):
    """A condition of an acceptance: the agency's code and the text the trader reads."""

    code: str = Field(pattern=_CODE)
    text: str = Field(min_length=1, max_length=1000)


class Reason(_Value):
    """Why the agency decided so: the agency's code and the text the trader reads."""

    code: str = Field(pattern=_CODE)
    text: str = Field(min_length=1, max_length=1000)


class Query(_Value):
    """A question to the trader (status QUERY); the trader answers with the hub's respond operation.

    ``fields`` names what the question is about as JSON pointers into the view the agency was sent
    (``/goodsItems/0/netMassKg``), so the trader's tools can point at them instead of parsing the text.
    """

    question: str = Field(min_length=1, max_length=2000)
    respond_by: AwareDatetime | None = None
    fields: tuple[Annotated[str, Field(min_length=2, max_length=1000, pattern=_POINTER)], ...] = Field(
        default=(), max_length=_MAX_FIELDS
    )

    @classmethod
    def about(cls, question: str, fields: Iterable[str], respond_by: datetime | None = None) -> Query:
        """The query for a question and the fields concerned as an agency system reports them.

        Each JSON pointer (the first 50) goes in ``fields``; anything else (a free-text field name, a
        malformed pointer) is named after the question instead, so a sloppy entry in the agency system
        neither fails the decision nor is lost. The question is cut to the spec's 2000 characters.
        """
        pointers: list[str] = []
        others: list[str] = []
        for field in (f.strip() for f in fields):
            if not field or field in pointers or field in others:
                continue
            fits = 2 <= len(field) <= 1000 and _POINTER_RE.fullmatch(field) is not None and len(pointers) < _MAX_FIELDS
            (pointers if fits else others).append(field)
        if others:
            question = f"{question} (fields concerned: {', '.join(others)})"
        return cls(question=question[:2000], respond_by=respond_by, fields=tuple(pointers))


class Officer(_Value):
    """Who decided: the officer's service id in the agency system and, optionally, the name."""

    id: str = Field(min_length=1, max_length=35)
    name: str | None = Field(default=None, min_length=1, max_length=70)


ReferenceType = Literal[
    "MANIFEST",
    "DECLARATION",
    "PHYTO_CERTIFICATE",
    "VETERINARY_CERTIFICATE",
    "SANITARY_PERMIT",
    "TIR_CARNET",
    "TRANSIT_DECLARATION",
    "CONTROL_RESULT",
    "SUBMISSION",
    "PERMIT",
    "INVOICE",
    "OTHER",
]
"""The kinds of related document the specs know (``Reference`` in message_specs/documents)."""


class Reference(_Value):
    """A document the decision produced or relies on (a certificate issued, a control result)."""

    type: ReferenceType
    id: str = Field(min_length=1, max_length=70)
    issuer: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")


class DecisionDraft(_Value):
    """One decision of the agency on one submission version, as the author states it.

    ``idempotency_key`` identifies the decision in the agency system (a webhook's event id, a decision
    row's id). The SDK stores one decision per key and submission version: the same key again changes
    nothing, which is what makes a duplicate webhook or a re-read polling row harmless. Left out, the key
    is a hash of the draft's content (so an identical draft is a duplicate).

    Example::

        DecisionDraft(status=DecisionStatus.INSPECTION_REQUIRED, channel=Channel.RED,
                      reasons=[Reason(code="R12", text="Random physical check")],
                      officer=Officer(id="KZ-0042"), idempotency_key="cusres-000123")
    """

    status: DecisionStatus
    channel: Channel | None = None
    conditions: tuple[Condition, ...] = ()
    reasons: tuple[Reason, ...] = ()
    query: Query | None = None
    officer: Officer
    references: tuple[Reference, ...] = ()
    decided_at: AwareDatetime | None = Field(default=None, description="When the officer decided; default now.")
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def _spec_rules(self) -> DecisionDraft:
        status = self.status
        if status is DecisionStatus.ACCEPTED_WITH_CONDITIONS and not self.conditions:
            raise ValueError("ACCEPTED_WITH_CONDITIONS needs at least one condition")
        if status is not DecisionStatus.ACCEPTED_WITH_CONDITIONS and self.conditions:
            raise ValueError("conditions go only with ACCEPTED_WITH_CONDITIONS")
        if status is DecisionStatus.REJECTED and not self.reasons:
            raise ValueError("REJECTED needs at least one reason")
        if (status is DecisionStatus.QUERY) != (self.query is not None):
            raise ValueError("a query is given exactly when the status is QUERY")
        if self.channel is Channel.GREEN and status is not DecisionStatus.ACCEPTED:
            raise ValueError("channel GREEN goes only with ACCEPTED")
        if self.channel in (Channel.YELLOW, Channel.RED) and status is not DecisionStatus.INSPECTION_REQUIRED:
            raise ValueError("channels YELLOW and RED go only with INSPECTION_REQUIRED")
        return self

    def key(self) -> str:
        """The idempotency key, or a stable hash of the content when the author gave none."""
        if self.idempotency_key is not None:
            return self.idempotency_key
        content = self.model_dump(mode="json", exclude={"idempotency_key", "decided_at"})
        if content["query"] is not None and not content["query"]["fields"]:
            del content["query"]["fields"]  # a query without fields hashes as it did before they existed
        digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
        return f"content:{digest[:40]}"


def decided_at_or(draft: DecisionDraft, now: datetime) -> datetime:
    return draft.decided_at if draft.decided_at is not None else now
