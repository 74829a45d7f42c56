"""Whose inbox a DLQ message died in, as far as the broker vouches for it (replay's target agency)."""

from __future__ import annotations

from singlewindow.platform.hub.replay import dead_in_agency

AGENCIES = ["customs", "veterinary"]


def _death(queue: str, reason: str = "rejected") -> dict[str, object]:
    return {"queue": queue, "reason": reason, "count": 1}


def test_an_agency_dlq_is_fed_only_by_its_own_inbox() -> None:
    forged = {"x-death": [_death("agency.customs.inbox")]}  # headers cannot move a message between DLQs
    assert dead_in_agency("agency.veterinary.dlq", forged, AGENCIES) == "veterinary"


def test_in_the_hub_dlq_only_the_brokers_newest_deaths_count() -> None:
    from_dlq = {"x-death": [_death("agency.customs.dlq", "delivery_limit"), _death("agency.customs.inbox")]}
    assert dead_in_agency("nsw.hub.dlq", from_dlq, AGENCIES) == "customs"
    from_deadletters = {
        "x-death": [_death("nsw.deadletters", "delivery_limit"), _death("agency.veterinary.inbox"), _death("x")]
    }
    assert dead_in_agency("nsw.hub.dlq", from_deadletters, AGENCIES) == "veterinary"
    parked_by_the_hub: dict[str, object] = {"x-nsw-reason": "AccessDenied: ..."}  # a copy: no x-death
    assert dead_in_agency("nsw.hub.dlq", parked_by_the_hub, AGENCIES) is None
    from_the_aggregator = {"x-death": [_death("nsw.aggregator"), _death("agency.customs.inbox")]}
    assert dead_in_agency("nsw.hub.dlq", from_the_aggregator, AGENCIES) is None
    assert dead_in_agency("nsw.hub.dlq", {"x-death": "not a list"}, AGENCIES) is None
