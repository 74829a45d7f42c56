"""What the console's forms become before they go to the hub's API: an officer's decision, a border-event
document and a joint inspection's slot. Only shaping happens here; the hub checks them (the decision rules,
the border-event spec, the slot) and its refusal is what the officer sees, with the field it points at."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from singlewindow.platform.state.common import rfc3339_millis

DECISIONS = ("ACCEPTED", "ACCEPTED_WITH_CONDITIONS", "INSPECTION_REQUIRED", "QUERY", "REJECTED")
CHANNELS = ("GREEN", "YELLOW", "RED")
EVENT_TYPES = ("ARRIVAL", "EXIT")
MAX_LINES = 20
MAX_TEXT = 2000
_CODED = re.compile(r"^\s*([A-Z0-9][A-Z0-9._-]{0,19})\s*[:\-]\s*(.+?)\s*$")


def _text(form: Mapping[str, Any], name: str, limit: int = MAX_TEXT) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def coded_lines(text: str, default_code: str) -> list[dict[str, str]]:
    """``CODE: text`` per line (a line without a code gets ``default_code``), at most ``MAX_LINES``."""
    found = []
    for line in text.splitlines()[:MAX_LINES]:
        if not line.strip():
            continue
        match = _CODED.match(line)
        code, words = (match.group(1), match.group(2)) if match else (default_code, line.strip())
        found.append({"code": code, "text": words[:1000]})
    return found


def decision_from_form(ticket: int, form: Mapping[str, Any], officer_name: str) -> dict[str, Any]:
    status = _text(form, "status", 40)
    decision: dict[str, Any] = {"ticket": ticket, "status": status, "officerName": officer_name[:70]}
    channel = _text(form, "channel", 10)
    if channel:
        decision["channel"] = channel
    if status == "ACCEPTED_WITH_CONDITIONS":
        decision["conditions"] = coded_lines(_text(form, "conditions"), "CONDITION")
    if status == "REJECTED":
        decision["reasons"] = coded_lines(_text(form, "reasons"), "REASON")
    if status == "INSPECTION_REQUIRED" and _text(form, "reasons"):
        decision["reasons"] = coded_lines(_text(form, "reasons"), "INSPECTION")
    if status == "QUERY":
        decision["query"] = {"question": _text(form, "question")}
    return decision


def border_event_from_form(
    item: Mapping[str, Any], form: Mapping[str, Any], agency: str, officer: Mapping[str, str],
    now: datetime | None = None,
) -> dict[str, Any]:  # fmt: skip
    """A border-event document for the queued consignment: its vehicle from the agency's view (what the
    trader declared), the crossing point and time from the form."""
    now = now or datetime.now(UTC)
    document = item.get("document") or {}
    found = document.get("transport")
    transport: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    occurred = _text(form, "occurredAt", 40)
    return {
        "documentId": f"CONSOLE-{uuid.uuid4().hex[:24].upper()}",
        "ucr": item.get("ucr"),
        "issuedAt": rfc3339_millis(now),
        "references": [{"type": "SUBMISSION", "id": str(item.get("submissionId"))}],
        "eventType": _text(form, "eventType", 10),
        "borderCrossingPoint": _text(form, "borderCrossingPoint", 17),
        "transportMeans": transport.get("transportMeans") or {},
        "trailers": list(transport.get("trailers") or []),
        "containerNumbers": [],
        "occurredAt": _occurred(occurred, now),
        "recordingAgency": agency,
        "recordedBy": {"id": officer["id"][:35], "name": officer["name"][:70]},
    }


def joint_slot_from_form(form: Mapping[str, Any]) -> tuple[str, str]:
    """(slot, place) of a proposal: the ``datetime-local`` read as UTC (bad or missing text goes to the hub,
    which refuses it with a pointer at ``/slotAt``)."""
    raw = _text(form, "slotAt", 40)
    try:
        slot = rfc3339_millis(datetime.fromisoformat(raw).replace(tzinfo=UTC))
    except ValueError:
        slot = raw
    return slot, _text(form, "place", 200)


def _occurred(raw: str, now: datetime) -> str:
    """The form's ``datetime-local`` (read as UTC, which the page says), or now; bad text goes to the hub,
    which refuses it with a pointer at ``/occurredAt``."""
    if not raw:
        return rfc3339_millis(now)
    try:
        return rfc3339_millis(datetime.fromisoformat(raw).replace(tzinfo=UTC))
    except ValueError:
        return raw
