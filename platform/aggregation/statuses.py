"""Statuses exactly as DESIGN.md defines them, and how one recipient's state absorbs events.

A recipient has two kinds of state that never override each other: the transport state (set by the hub and
the adapter runtime) and the agency's latest decision (ordered by the agency's own sequence number). Both
absorb events with a *join*: the result does not depend on the order events arrive in, and an event seen
twice changes nothing. That is what lets several hub processes apply redelivered messages safely.

Transport states are ranked PENDING < DELIVERED < OVERDUE < DELIVERY_FAILED within one delivery *attempt*;
an operator's replay starts a new attempt (back to PENDING), and events of an older attempt are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum


class TransportState(StrEnum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    OVERDUE = "OVERDUE"
    DELIVERY_FAILED = "DELIVERY_FAILED"

    @property
    def rank(self) -> int:
        return _TRANSPORT_RANK[self]


_TRANSPORT_RANK = {
    TransportState.PENDING: 0,
    TransportState.DELIVERED: 1,
    TransportState.OVERDUE: 2,
    TransportState.DELIVERY_FAILED: 3,
}


class DecisionStatus(StrEnum):
    """The only statuses an agency can set (the agency-decision spec allows nothing else)."""

    ACCEPTED = "ACCEPTED"
    ACCEPTED_WITH_CONDITIONS = "ACCEPTED_WITH_CONDITIONS"
    INSPECTION_REQUIRED = "INSPECTION_REQUIRED"
    QUERY = "QUERY"
    REJECTED = "REJECTED"


_SEVERITY = {
    DecisionStatus.ACCEPTED: 0,
    DecisionStatus.ACCEPTED_WITH_CONDITIONS: 1,
    DecisionStatus.INSPECTION_REQUIRED: 2,
    DecisionStatus.QUERY: 3,
    DecisionStatus.REJECTED: 4,
}


class Consolidated(StrEnum):
    RECEIVED = "RECEIVED"
    UNDER_REVIEW = "UNDER_REVIEW"
    HELD = "HELD"
    AWAITING_PAYMENT = "AWAITING_PAYMENT"  # every agency accepts, but one of them has a fee still unpaid
    CLEARED = "CLEARED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"


PHYSICAL_CHANNELS = frozenset({None, "RED"})  # the channels of an INSPECTION_REQUIRED that inspects the goods
TERMINAL = frozenset({Consolidated.CLEARED, Consolidated.REJECTED, Consolidated.CANCELLED})


@dataclass(frozen=True, slots=True)
class Decision:
    status: DecisionStatus
    sequence: int
    channel: str | None = None
    conditions: tuple[tuple[str, str], ...] = ()  # (code, text), as the agency-decision spec has them

    def __post_init__(self) -> None:
        if self.sequence < 1:
            raise ValueError("an agency's decision sequence starts at 1")

    @property
    def physical_inspection(self) -> bool:
        """An inspection of the goods themselves: INSPECTION_REQUIRED on customs' RED channel, or with no channel
        (an agency without channels inspects physically); customs' YELLOW is a check of the documents."""
        return self.status is DecisionStatus.INSPECTION_REQUIRED and self.channel in PHYSICAL_CHANNELS

    @property
    def order_key(self) -> tuple[int, int, str, tuple[tuple[str, str], ...]]:
        """Total order for the join. Sequence first; two different decisions under one sequence number are
        an agency fault, and the more severe one wins so the outcome still does not depend on arrival order."""
        return (self.sequence, _SEVERITY[self.status], self.channel or "", self.conditions)


@dataclass(frozen=True, slots=True)
class RecipientState:
    recipient: str
    transport: TransportState = TransportState.PENDING
    attempt: int = 1
    decision: Decision | None = field(default=None)

    @property
    def effective(self) -> DecisionStatus | TransportState:
        """The latest decision if there is one, otherwise the transport state."""
        return self.decision.status if self.decision is not None else self.transport

    def with_transport(self, state: TransportState, attempt: int) -> RecipientState:
        """Join a transport event: a newer attempt resets, an older one is ignored, else the higher rank wins."""
        if attempt < self.attempt:
            return self
        if attempt > self.attempt:
            return replace(self, transport=state, attempt=attempt)
        return self if state.rank <= self.transport.rank else replace(self, transport=state)

    def with_decision(self, decision: Decision) -> RecipientState:
        """Join a decision: the agency's higher sequence number wins; a lower one is stale, an equal one a duplicate."""
        if self.decision is not None and decision.order_key <= self.decision.order_key:
            return self
        return replace(self, decision=decision)

    def replayed(self) -> RecipientState:
        """An operator replay of a dead-lettered document: a new delivery attempt, back to PENDING."""
        return replace(self, transport=TransportState.PENDING, attempt=self.attempt + 1)
