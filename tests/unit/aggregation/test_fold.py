"""The fold and the joins hold to DESIGN.md: order and duplicates never change the outcome."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import reduce

from hypothesis import given
from hypothesis import strategies as st

from singlewindow.platform.aggregation import (
    Consolidated,
    Decision,
    DecisionStatus,
    RecipientState,
    TransportState,
    consolidate,
)
from singlewindow.platform.aggregation.fold import collected_conditions


@dataclass(frozen=True)
class TransportEvent:
    state: TransportState
    attempt: int


Event = TransportEvent | Decision

decisions = st.builds(
    Decision,
    status=st.sampled_from(DecisionStatus),
    sequence=st.integers(min_value=1, max_value=6),
    conditions=st.lists(
        st.sampled_from([("COLD-CHAIN", "Keep at -18 C"), ("LAB", "Sample to the lab"), ("SEAL", "Check seals")]),
        max_size=2,
    ).map(tuple),
)
transport_events = st.builds(
    TransportEvent, state=st.sampled_from(TransportState), attempt=st.integers(min_value=1, max_value=3)
)
events = st.lists(st.one_of(decisions, transport_events), max_size=12)


def apply(state: RecipientState, event: Event) -> RecipientState:
    if isinstance(event, Decision):
        return state.with_decision(event)
    return state.with_transport(event.state, event.attempt)


def fold_events(recipient: str, history: list[Event]) -> RecipientState:
    return reduce(apply, history, RecipientState(recipient))


@given(history=events, seed=st.integers())
def test_recipient_state_ignores_arrival_order(history: list[Event], seed: int) -> None:
    shuffled = history[:]
    random.Random(seed).shuffle(shuffled)
    assert fold_events("customs", history) == fold_events("customs", shuffled)


@given(history=events, seed=st.integers())
def test_duplicates_change_nothing(history: list[Event], seed: int) -> None:
    rng = random.Random(seed)
    with_duplicates = history + [rng.choice(history) for _ in range(len(history) // 2)] if history else []
    rng.shuffle(with_duplicates)
    assert fold_events("vet", with_duplicates) == fold_events("vet", history)


@given(decision=decisions, late=st.lists(transport_events, max_size=5))
def test_a_transport_state_never_hides_a_decision(decision: Decision, late: list[TransportEvent]) -> None:
    state = fold_events("phyto", [decision, *late])
    assert state.effective is decision.status


@given(
    states=st.lists(st.tuples(st.sampled_from(TransportState), st.one_of(st.none(), decisions)), max_size=6),
    seed=st.integers(),
)
def test_consolidated_status_is_a_function_of_the_set(
    states: list[tuple[TransportState, Decision | None]], seed: int
) -> None:
    recipients = [RecipientState(f"r{i}", transport=t, decision=d) for i, (t, d) in enumerate(states)]
    shuffled = recipients[:]
    random.Random(seed).shuffle(shuffled)
    assert consolidate(recipients) is consolidate(shuffled)
    assert consolidate(recipients, cancelled=True) is Consolidated.CANCELLED


def _with(recipient: str, status: DecisionStatus | TransportState) -> RecipientState:
    if isinstance(status, TransportState):
        return RecipientState(recipient, transport=status)
    return RecipientState(recipient, decision=Decision(status, 1))


def test_priority_order_cancelled_rejected_held_review_cleared() -> None:
    a, c = DecisionStatus.ACCEPTED, DecisionStatus.ACCEPTED_WITH_CONDITIONS
    assert consolidate([_with("c", a), _with("v", c)]) is Consolidated.CLEARED
    assert consolidate([_with("c", a), _with("v", TransportState.DELIVERED)]) is Consolidated.UNDER_REVIEW
    assert consolidate([_with("c", DecisionStatus.QUERY), _with("v", TransportState.PENDING)]) is Consolidated.HELD
    assert consolidate([_with("c", TransportState.OVERDUE), _with("v", a)]) is Consolidated.HELD
    assert consolidate([_with("c", TransportState.DELIVERY_FAILED)]) is Consolidated.HELD
    assert consolidate([_with("c", DecisionStatus.INSPECTION_REQUIRED)]) is Consolidated.HELD
    assert consolidate([_with("c", DecisionStatus.REJECTED), _with("v", DecisionStatus.QUERY)]) is Consolidated.REJECTED
    assert consolidate([_with("c", DecisionStatus.REJECTED)], cancelled=True) is Consolidated.CANCELLED
    assert consolidate([_with("c", a)], routed=False) is Consolidated.RECEIVED
    assert consolidate([]) is Consolidated.CLEARED


def test_revision_with_higher_sequence_applies_and_stale_one_does_not() -> None:
    inspected = RecipientState("customs").with_decision(Decision(DecisionStatus.INSPECTION_REQUIRED, 1, "RED"))
    cleared = inspected.with_decision(Decision(DecisionStatus.ACCEPTED, 2))
    assert cleared.effective is DecisionStatus.ACCEPTED
    assert cleared.with_decision(Decision(DecisionStatus.INSPECTION_REQUIRED, 1, "RED")) == cleared


def test_replay_starts_a_new_attempt_and_ignores_the_old_one() -> None:
    failed = RecipientState("sanitary").with_transport(TransportState.DELIVERY_FAILED, 1)
    replayed = failed.replayed()
    assert replayed.effective is TransportState.PENDING
    assert replayed.with_transport(TransportState.DELIVERY_FAILED, 1) == replayed
    assert replayed.with_transport(TransportState.DELIVERED, 2).effective is TransportState.DELIVERED


def test_conditions_are_collected_once_in_recipient_order() -> None:
    states = [
        RecipientState(
            "vet", decision=Decision(DecisionStatus.ACCEPTED_WITH_CONDITIONS, 1, None, (("COLD", "Keep frozen"),))
        ),
        RecipientState(
            "phyto", decision=Decision(DecisionStatus.ACCEPTED_WITH_CONDITIONS, 2, None, (("FUM", "Fumigate"),) * 2)
        ),
        RecipientState("customs", decision=Decision(DecisionStatus.ACCEPTED, 1)),
    ]
    assert collected_conditions(states) == (("phyto", "FUM", "Fumigate"), ("vet", "COLD", "Keep frozen"))
