"""What callers read about a submission: one typed snapshot, rendered as JSON by HTTP, the CLI and gRPC."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from singlewindow.platform.aggregation import Consolidated
from singlewindow.platform.state import RecipientStore, SubmissionRecord, SubmissionStore
from singlewindow.platform.state.common import rfc3339_millis


@dataclass(frozen=True, slots=True)
class RecipientView:
    recipient: str
    kind: str
    view: str
    effective_status: str
    transport: str
    attempt: int
    matched_rules: tuple[str, ...]
    deadline_at: datetime
    decision: Mapping[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "recipient": self.recipient,
            "kind": self.kind,
            "view": self.view,
            "effectiveStatus": self.effective_status,
            "transport": self.transport,
            "attempt": self.attempt,
            "matchedRules": list(self.matched_rules),
            "deadlineAt": rfc3339_millis(self.deadline_at),
            "decision": dict(self.decision) if self.decision is not None else None,
        }


@dataclass(frozen=True, slots=True)
class SubmissionView:
    submission_id: str
    declarant_id: str
    trader_reference: str
    document_type: str
    ucr: str
    version: int
    status: Consolidated
    status_sequence: int
    cancelled: bool
    created_at: datetime
    recipients: tuple[RecipientView, ...]

    @property
    def terminal(self) -> bool:
        from singlewindow.platform.aggregation import TERMINAL

        return self.status in TERMINAL

    def as_dict(self) -> dict[str, Any]:
        return {
            "submissionId": self.submission_id,
            "declarantId": self.declarant_id,
            "traderReference": self.trader_reference,
            "documentType": self.document_type,
            "ucr": self.ucr,
            "version": self.version,
            "status": self.status.value,
            "statusSequence": self.status_sequence,
            "terminal": self.terminal,
            "cancelled": self.cancelled,
            "createdAt": rfc3339_millis(self.created_at),
            "recipients": [r.as_dict() for r in self.recipients],
        }


def received(record: SubmissionRecord) -> SubmissionView:
    """A version just stored by intake, as intake stored it: RECEIVED, routed to nobody yet."""
    return SubmissionView(
        record.id,
        record.declarant_id,
        record.trader_reference,
        record.document_type,
        record.ucr,
        record.current_version,
        Consolidated.RECEIVED,
        1,
        False,
        record.created_at,
        (),
    )


_CONSISTENT_READ_TRIES = 5  # each retry means the status changed while reading: it settles at once


async def read_submission(
    submissions: SubmissionStore, recipients: RecipientStore, record: SubmissionRecord
) -> SubmissionView:
    # The status and the recipients it sums up, consistent without a snapshot transaction: a decision
    # changes a recipient and the consolidated status in one transaction, and any status change bumps
    # status_sequence, so recipients read between two reads of the same status_sequence sum up to it.
    version = await submissions.version(record.id, record.current_version)
    for _ in range(_CONSISTENT_READ_TRIES):
        rows = await recipients.states(record.id, record.current_version)
        again = await submissions.version(record.id, record.current_version)
        if again.status_sequence == version.status_sequence:
            break
        version = again
    views = tuple(
        RecipientView(
            recipient=state.recipient,
            kind=detail["kind"],
            view=detail["view"],
            effective_status=state.effective.value,
            transport=state.transport.value,
            attempt=state.attempt,
            matched_rules=tuple(detail["matched_rules"]),
            deadline_at=detail["deadline_at"],
            decision=(detail["decision"] or {}).get("document"),
        )
        for state, detail in rows
    )
    return SubmissionView(
        record.id,
        record.declarant_id,
        record.trader_reference,
        record.document_type,
        record.ucr,
        record.current_version,
        version.status,
        version.status_sequence,
        version.cancelled,
        record.created_at,
        views,
    )
