"""The decision columns as a decision draft, or as a reason to ask the legacy system again.

``status`` must be one of the statuses the service uses; ``conditions`` holds one ``CODE: text`` per line;
a ``QUERY`` has its question in ``reason`` and the fields concerned (JSON pointers) one per line in
``query_fields``, which become the query's ``fields`` (anything not a pointer is named after the question).
Anything else (a garbled value, the system's own ERROR status) is not a decision: the adapter clears the
row so the legacy system decides it again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from singlewindow.adapters import Condition, DecisionDraft, DecisionStatus, Officer, Query, Reason

STATUSES = {"ACCEPTED", "ACCEPTED_WITH_CONDITIONS", "REJECTED", "QUERY"}
CONDITION = re.compile(r"^([A-Z0-9][A-Z0-9._-]{0,19}): (.{1,1000})$")


@dataclass(frozen=True, slots=True)
class AskAgain:
    why: str


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands timestamps back naive; the legacy system writes UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def read_decision(row: Any) -> DecisionDraft | AskAgain:
    status = row.status
    if status == "ERROR":
        return AskAgain(f"the system reported an error: {row.reason or 'no detail'}")
    if status not in STATUSES:
        return AskAgain(f"unreadable status {status!r}")
    conditions: list[Condition] = []
    for line in (row.conditions or "").splitlines():
        match = CONDITION.match(line)
        if match is None:
            return AskAgain(f"unreadable condition {line!r}")
        conditions.append(Condition(code=match.group(1), text=match.group(2)))
    if status == "QUERY":
        return _query(row)
    reasons = (Reason(code="SANITARY", text=row.reason[:1000]),) if row.reason else ()
    if status == "REJECTED" and not reasons:
        return AskAgain("REJECTED without a reason")
    try:
        return DecisionDraft(
            status=DecisionStatus(status),
            conditions=tuple(conditions),
            reasons=reasons,
            officer=Officer(id=(row.officer or "UNKNOWN")[:35]),
            decided_at=_aware(row.decided_at),
        )
    except ValueError as exc:  # pydantic: e.g. conditions on a plain ACCEPTED
        return AskAgain(f"inconsistent decision: {exc}")


def _query(row: Any) -> DecisionDraft | AskAgain:
    if not row.reason:
        return AskAgain("QUERY without a question")
    return DecisionDraft(
        status=DecisionStatus.QUERY,
        query=Query.about(row.reason, (row.query_fields or "").splitlines()),
        officer=Officer(id=(row.officer or "UNKNOWN")[:35]),
        decided_at=_aware(row.decided_at),
    )
