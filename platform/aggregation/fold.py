"""The consolidated status: a pure function of the recipients' effective statuses and the cancel flag."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from singlewindow.platform.aggregation.statuses import (
    Consolidated,
    DecisionStatus,
    RecipientState,
    TransportState,
)

_HOLDING = frozenset(
    {
        DecisionStatus.INSPECTION_REQUIRED,
        DecisionStatus.QUERY,
        TransportState.OVERDUE,
        TransportState.DELIVERY_FAILED,
    }
)
_IN_REVIEW = frozenset({TransportState.PENDING, TransportState.DELIVERED})
_ACCEPTING = frozenset({DecisionStatus.ACCEPTED, DecisionStatus.ACCEPTED_WITH_CONDITIONS})


def consolidate(
    recipients: Iterable[RecipientState],
    cancelled: bool = False,
    routed: bool = True,
    unpaid: Collection[str] = (),
) -> Consolidated:
    """CANCELLED > REJECTED > HELD > UNDER_REVIEW > AWAITING_PAYMENT > CLEARED; RECEIVED until routed.

    A version routed to nobody is CLEARED: no agency has anything to say about it. ``unpaid`` names the
    recipients with a fee still due on this version: their acceptance does not release the goods until it
    is paid, so a version every agency accepts is AWAITING_PAYMENT while any of them is in ``unpaid``
    (a recipient that has not accepted holds the version on its own account anyway).
    """
    if cancelled:
        return Consolidated.CANCELLED
    if not routed:
        return Consolidated.RECEIVED
    states = tuple(recipients)
    effective = {state.effective for state in states}
    if DecisionStatus.REJECTED in effective:
        return Consolidated.REJECTED
    if effective & _HOLDING:
        return Consolidated.HELD
    if effective & _IN_REVIEW:
        return Consolidated.UNDER_REVIEW
    assert effective <= _ACCEPTING, effective
    if unpaid and any(state.recipient in unpaid for state in states):
        return Consolidated.AWAITING_PAYMENT
    return Consolidated.CLEARED


def collected_conditions(recipients: Iterable[RecipientState]) -> tuple[tuple[str, str, str], ...]:
    """(recipient, code, text) of every acceptance with conditions, in recipient order, without repeats."""
    seen: dict[tuple[str, str, str], None] = {}
    for state in sorted(recipients, key=lambda s: s.recipient):
        if state.decision is not None and state.decision.status is DecisionStatus.ACCEPTED_WITH_CONDITIONS:
            seen.update(dict.fromkeys((state.recipient, code, text) for code, text in state.decision.conditions))
    return tuple(seen)
