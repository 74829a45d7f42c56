"""Every officer action in the submission's event history, with the officer's identity: claims, releases,
decisions, border events and joint inspections. The events table is the one history of a submission (the
trader's Watch streams only its own kinds, so an officer's name never reaches the trader).

What an officer reads back is its own agency's part: events addressed to the agency (its decisions, its
deliveries, its officers' actions) and the facts every agency at the border shares (border events, joint
inspections).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from singlewindow.platform.state.common import rfc3339_millis
from singlewindow.platform.state.events import EventLog, HubEvent, append_event

CLAIMED = "OFFICER_CLAIMED"
RELEASED = "OFFICER_RELEASED"
DECIDED = "OFFICER_DECIDED"
BORDER_EVENT = "BORDER_EVENT"
JOINT_PROPOSED = "JOINT_INSPECTION_PROPOSED"
JOINT_ACCEPTED = "JOINT_INSPECTION_ACCEPTED"
JOINT_DECLINED = "JOINT_INSPECTION_DECLINED"
JOINT_ATTENDED = "JOINT_INSPECTION_ATTENDED"
SHARED_KINDS = frozenset({BORDER_EVENT, JOINT_PROPOSED, JOINT_ACCEPTED, JOINT_DECLINED, JOINT_ATTENDED})


async def record_action(
    conn: AsyncConnection, submission_id: str, version: int, agency: str, kind: str, officer_id: str,
    detail: Mapping[str, Any] | None = None,
) -> None:  # fmt: skip
    """One officer action, in the caller's transaction (so it is recorded exactly when it happened)."""
    await append_event(conn, submission_id, version, kind, actor=officer_id, recipient=agency, detail=detail)


def _entry(event: HubEvent) -> dict[str, Any]:
    return {
        "sequence": event.sequence,
        "version": event.version,
        "kind": event.kind,
        "actor": event.actor,
        "agency": event.recipient,
        "status": event.status,
        "detail": dict(event.detail),
        "at": rfc3339_millis(event.at),
    }


async def agency_history(events: EventLog, agency: str, submission_id: str) -> list[dict[str, Any]]:
    """The agency's part of one submission's history, oldest first."""
    return [
        _entry(event)
        for event in await events.of(submission_id)
        if event.recipient == agency or event.kind in SHARED_KINDS
    ]
