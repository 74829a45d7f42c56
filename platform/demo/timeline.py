"""Per submission, what happened and when, read back from the hub's event history (not from the demo's
own bookkeeping), so the timeline shows what the hub recorded: who was routed by which rule, each agency's
decisions, the consolidated statuses, and the time each step took from the submission."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from singlewindow.platform.demo.scenario import DemoConsignment
from singlewindow.platform.hub.views import SubmissionView
from singlewindow.platform.state import HubEvent


@dataclass(frozen=True, slots=True)
class Note:
    """A condition or a reason, as the agency gave it."""

    code: str
    text: str


@dataclass(frozen=True, slots=True)
class DecisionEntry:
    agency: str
    sequence: int
    status: str
    channel: str | None
    conditions: tuple[Note, ...]
    reasons: tuple[Note, ...]
    user: str | None  # the broker-validated user_id the decision arrived with
    officer: str | None  # who decided, as the agency system says (an officer's name, a risk engine's id)
    after_terminal: bool  # arrived after the final status: kept in the history, flagged, not applied
    at_ms: float


@dataclass(frozen=True, slots=True)
class RecipientEntry:
    agency: str
    rules: tuple[str, ...]
    status: str  # the effective status the hub holds at the end


@dataclass(frozen=True, slots=True)
class StatusEntry:
    status: str
    at_ms: float


@dataclass(frozen=True, slots=True)
class TraderStep:
    """What the trader did after submitting: answered an agency's query, or cancelled."""

    kind: str  # "answered", "cancelled" or "paid"
    recipient: str | None  # the agency answered
    at_ms: float
    detail: str = ""  # what was paid


@dataclass(frozen=True, slots=True)
class Timeline:
    consignment: DemoConsignment
    submission_id: str
    ucr: str
    trader_reference: str
    trader: str
    recipients: tuple[RecipientEntry, ...]
    decisions: tuple[DecisionEntry, ...]  # in the order they happened
    statuses: tuple[StatusEntry, ...]
    consolidated_status: str
    routed_ms: float | None
    total_ms: float | None  # submission to the final status; None if it never came
    problems: tuple[str, ...]
    trader_steps: tuple[TraderStep, ...] = ()
    told: tuple[str, ...] = ()  # agencies sent a cancellation notice (the hub's outbox, published)
    invoice: Mapping[str, Any] | None = None  # the submission's invoice as the trader reads it (fees on)

    @property
    def ok(self) -> bool:
        return not self.problems


def _offset_ms(at: datetime, start: datetime) -> float:
    return round((at - start).total_seconds() * 1000, 1)


def _notes(values: Sequence[Mapping[str, Any]] | None) -> tuple[Note, ...]:
    return tuple(Note(str(v.get("code", "")), str(v.get("text", ""))) for v in values or [])


def _officer(officer: Mapping[str, Any] | None) -> str | None:
    if not officer:
        return None
    return str(officer.get("name") or officer.get("id") or "") or None


def _decision(event: HubEvent, start: datetime) -> DecisionEntry:
    document: Mapping[str, Any] = event.detail.get("decision") or {}
    return DecisionEntry(
        agency=event.recipient or str(document.get("agency", "")),
        sequence=int(document.get("decisionSequence", 0)),
        status=event.status or str(document.get("status", "")),
        channel=document.get("channel"),
        conditions=_notes(document.get("conditions")),
        reasons=_notes(document.get("reasons")),
        user=event.actor,
        officer=_officer(document.get("officer")),
        after_terminal=bool(event.detail.get("late_after_terminal")),
        at_ms=_offset_ms(event.at, start),
    )


def _problems(
    consignment: DemoConsignment, view: SubmissionView, statuses: Sequence[StatusEntry], told: Sequence[str]
) -> list[str]:
    problems = []
    if view.status.value != consignment.expected_status:
        problems.append(f"consolidated status {view.status.value}, expected {consignment.expected_status}")
    routed = sorted(r.recipient for r in view.recipients)
    if routed != sorted(consignment.expected_recipients):
        problems.append(f"routed to {', '.join(routed)}; expected {', '.join(sorted(consignment.expected_recipients))}")
    seen = {entry.status for entry in statuses}
    problems += [f"never {status} on the way" for status in consignment.passes_through if status not in seen]
    if view.status.value == "CANCELLED" and (untold := sorted(set(routed) - set(told))):
        problems.append(f"not told of the cancellation: {', '.join(untold)}")
    return problems


_STEPS = {"QUERY_ANSWERED": "answered", "CANCEL_REQUESTED": "cancelled", "PAYMENT_RECEIVED": "paid"}


def _paid(event: HubEvent) -> str:
    return f"{event.detail.get('applied')} {event.detail.get('currency')}" if event.kind == "PAYMENT_RECEIVED" else ""


def _payment_problems(
    view: SubmissionView, invoice: Mapping[str, Any] | None, history: Sequence[HubEvent]
) -> list[str]:
    """With fees: a consignment is released only once its invoice is paid, and never before the payment."""
    if invoice is None or view.status.value != "CLEARED":
        return []
    if any(line["status"] == "DUE" and line["version"] == invoice["version"] for line in invoice["lines"]):
        return ["cleared with fees unpaid"]
    paid = [e.at for e in history if e.kind == "PAYMENT_RECEIVED"]
    cleared = [e.at for e in history if e.kind == "STATUS_CHANGED" and e.status == "CLEARED"]
    if cleared and (not paid or cleared[0] < paid[0]):
        return ["cleared before its fees were paid"]
    return []


def build_timeline(
    consignment: DemoConsignment,
    trader: str,
    view: SubmissionView,
    events: Sequence[HubEvent],
    told: Sequence[str] = (),
    invoice: Mapping[str, Any] | None = None,
) -> Timeline:
    """The timeline of the submission's current version from its events (oldest first); ``told``: the
    agencies the hub sent a cancellation notice."""
    history = [e for e in events if e.version == view.version]
    start = next((e.at for e in history if e.kind in ("SUBMITTED", "AMENDED")), view.created_at)
    routed = next((e for e in history if e.kind == "ROUTED"), None)
    rules: Mapping[str, Sequence[str]] = (routed.detail.get("recipients") or {}) if routed else {}
    statuses = [StatusEntry("RECEIVED", 0.0)] + [
        StatusEntry(e.status or "", _offset_ms(e.at, start)) for e in history if e.kind == "STATUS_CHANGED"
    ]
    final = next((e for e in history if e.kind == "STATUS_CHANGED" and e.detail.get("terminal")), None)
    problems = _problems(consignment, view, statuses, told) + _payment_problems(view, invoice, history)
    if final is None:
        problems.append("no final consolidated status")
    return Timeline(
        consignment=consignment,
        submission_id=view.submission_id,
        ucr=view.ucr,
        trader_reference=view.trader_reference,
        trader=trader,
        recipients=tuple(
            RecipientEntry(r.recipient, tuple(rules.get(r.recipient, r.matched_rules)), r.effective_status)
            for r in view.recipients
        ),
        decisions=tuple(sorted((_decision(e, start) for e in history if e.kind == "DECISION"), key=lambda d: d.at_ms)),
        statuses=tuple(statuses),
        consolidated_status=view.status.value,
        routed_ms=_offset_ms(routed.at, start) if routed else None,
        total_ms=_offset_ms(final.at, start) if final else None,
        problems=tuple(problems),
        trader_steps=tuple(
            TraderStep(_STEPS[e.kind], e.recipient, _offset_ms(e.at, start), _paid(e))
            for e in history
            if e.kind in _STEPS
        ),
        told=tuple(sorted(told)),
        invoice=invoice,
    )
