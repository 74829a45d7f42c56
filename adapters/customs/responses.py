"""A CUSRES as what the adapter does next: publish a decision, or send the declaration again.

The decision's idempotency key is the customs system's response number, so the same CUSRES read twice
(a duplicate file, a re-read after a crash) is one decision, and the inspection result (a new response
number) is a revision with a higher decision sequence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from singlewindow.adapters import Channel, DecisionDraft, DecisionStatus, Officer, Query, Reason
from singlewindow.adapters.customs.cusres import FIELD, QUESTION, CustomsResponse, Finding, Outcome

_CODE_CHARS = re.compile(r"[^A-Z0-9._-]")


@dataclass(frozen=True, slots=True)
class Resend:
    """The customs system asks for the declaration again (a temporary fault on its side)."""

    declaration: str
    reason: str


def _reason(finding: Finding) -> Reason:
    code = _CODE_CHARS.sub("-", finding.code.upper()).lstrip("-._")[:20] or "CUSTOMS"
    return Reason(code=code, text=(finding.text or finding.code)[:1000])


def _query(response: CustomsResponse) -> Query:
    """The question, and the fields concerned (one FTX each) as the query's JSON pointers."""
    question = " ".join(f.text for f in response.findings if f.code == QUESTION) or "The customs officer asks"
    return Query.about(question, (f.text for f in response.findings if f.code == FIELD))


def to_action(response: CustomsResponse) -> DecisionDraft | Resend:
    if response.temporary:
        return Resend(response.declaration, "; ".join(f.text for f in response.findings))
    common = {
        "officer": Officer(id=response.officer[:35]),
        "decided_at": response.issued_at,
        "idempotency_key": f"cusres:{response.response_number}",
    }
    reasons = tuple(_reason(f) for f in response.findings)
    match response.outcome:
        case Outcome.GREEN:
            return DecisionDraft(status=DecisionStatus.ACCEPTED, channel=Channel.GREEN, **common)
        case Outcome.YELLOW | Outcome.RED:
            channel = Channel.YELLOW if response.outcome is Outcome.YELLOW else Channel.RED
            return DecisionDraft(status=DecisionStatus.INSPECTION_REQUIRED, channel=channel, reasons=reasons, **common)
        case Outcome.QUERY:
            return DecisionDraft(status=DecisionStatus.QUERY, query=_query(response), **common)
        case Outcome.RELEASED:
            return DecisionDraft(status=DecisionStatus.ACCEPTED, **common)
        case Outcome.REFUSED | Outcome.ERROR:
            fallback = (Reason(code="CUSTOMS", text="Refused by the customs system"),)
            return DecisionDraft(status=DecisionStatus.REJECTED, reasons=reasons or fallback, **common)
