"""An officer's decision, as the hub's officer queue records it, turned into the SDK's ``DecisionDraft``.

The idempotency key is the decision's id in the officer queue: re-reading a decision the adapter already
published (it crashed before marking it) changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from singlewindow.adapters import Channel, Condition, DecisionDraft, DecisionStatus, Officer, Query, Reason


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def draft_of(recorded: Mapping[str, Any]) -> DecisionDraft:
    decision = recorded["decision"]
    query = decision.get("query")
    return DecisionDraft(
        status=DecisionStatus(decision["status"]),
        channel=Channel(decision["channel"]) if decision.get("channel") else None,
        conditions=tuple(Condition(**c) for c in decision.get("conditions", [])),
        reasons=tuple(Reason(**r) for r in decision.get("reasons", [])),
        query=Query(question=query["question"], respond_by=query.get("respondBy"), fields=query.get("fields", ()))
        if query
        else None,
        officer=Officer(**decision["officer"]),
        decided_at=_when(decision["decidedAt"]),
        idempotency_key=f"officer-decision:{recorded['id']}",
    )
