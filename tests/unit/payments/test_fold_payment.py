"""The fold with the payment state: an accepting agency with a fee due holds the release (AWAITING_PAYMENT),
and nothing else changes; with nothing unpaid the fold is exactly the one without fees."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from singlewindow.platform.aggregation import (
    TERMINAL,
    Consolidated,
    Decision,
    DecisionStatus,
    RecipientState,
    TransportState,
    consolidate,
)

NAMES = ("customs", "phytosanitary", "sanitary", "border-guard")
effective = st.one_of(
    st.sampled_from(TransportState).map(lambda t: (t, None)),
    st.sampled_from(DecisionStatus).map(lambda d: (TransportState.DELIVERED, Decision(d, 1))),
)
recipient_sets = st.lists(effective, min_size=1, max_size=len(NAMES)).map(
    lambda states: [RecipientState(NAMES[i], t, 1, d) for i, (t, d) in enumerate(states)]
)
unpaid_sets = st.sets(st.sampled_from((*NAMES, "veterinary")))


@given(recipient_sets, unpaid_sets, st.booleans())
def test_unpaid_fees_only_turn_cleared_into_awaiting_payment(
    recipients: list[RecipientState], unpaid: set[str], cancelled: bool
) -> None:
    without = consolidate(recipients, cancelled=cancelled)
    with_fees = consolidate(recipients, cancelled=cancelled, unpaid=unpaid)
    owing = unpaid & {r.recipient for r in recipients}
    if without is Consolidated.CLEARED and owing:
        assert with_fees is Consolidated.AWAITING_PAYMENT
    else:
        assert with_fees is without
    assert Consolidated.AWAITING_PAYMENT not in TERMINAL


@given(recipient_sets, st.booleans())
def test_with_nothing_unpaid_the_fold_is_unchanged(recipients: list[RecipientState], cancelled: bool) -> None:
    assert consolidate(recipients, cancelled=cancelled, unpaid=()) is consolidate(recipients, cancelled=cancelled)


def test_payment_releases_and_a_holding_agency_still_holds() -> None:
    accepted = Decision(DecisionStatus.ACCEPTED, 1)
    both = [RecipientState("customs", decision=accepted), RecipientState("sanitary", decision=accepted)]
    assert consolidate(both, unpaid={"sanitary"}) is Consolidated.AWAITING_PAYMENT
    assert consolidate(both, unpaid=set()) is Consolidated.CLEARED
    inspecting = [both[0], RecipientState("sanitary", decision=Decision(DecisionStatus.INSPECTION_REQUIRED, 2))]
    assert consolidate(inspecting, unpaid={"customs"}) is Consolidated.HELD
    pending = [both[0], RecipientState("sanitary")]
    assert consolidate(pending, unpaid={"customs"}) is Consolidated.UNDER_REVIEW
    assert consolidate(both, cancelled=True, unpaid={"customs"}) is Consolidated.CANCELLED
