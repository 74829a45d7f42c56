"""The same table applied to the in-memory broker through its admin methods, and checked the same way."""

from __future__ import annotations

import pytest

from singlewindow.platform.catalogue import load_catalogue
from singlewindow.platform.errors import ConfigurationError
from singlewindow.platform.settings import TopologySettings
from singlewindow.platform.topology import Topology, build_topology
from singlewindow.platform.topology.apply import ObservedQueue, apply_memory, mismatches, verify_memory
from singlewindow.platform.topology.users import ensure_users_memory
from singlewindow.platform.transport import MemoryBroker

VHOST = "kz-test"


@pytest.fixture
def table() -> Topology:
    return build_topology(load_catalogue(), TopologySettings())


def test_the_table_applies_to_a_memory_broker_twice(table: Topology) -> None:
    broker = MemoryBroker()
    apply_memory(table, broker, VHOST)
    apply_memory(table, broker, VHOST)  # idempotent: equal declarations are accepted
    assert set(broker.queues(VHOST)) == {q.name for q in table.queues}
    info = broker.queue_info(VHOST, "agency.veterinary.inbox")
    assert info.type == "quorum"
    assert info.policy == "nsw.inbox.veterinary"
    assert info.effective_policy_definition["dead-letter-exchange"] == "nsw.dlx.veterinary"
    routed = {b.queue for b in broker.bindings(VHOST, "nsw.dlx.veterinary")}
    assert routed == {"agency.veterinary.dlq", "nsw.deadletters"}


def test_a_conflicting_policy_on_the_memory_broker_is_reported(table: Topology) -> None:
    broker = MemoryBroker()
    apply_memory(table, broker, VHOST)
    broker.set_policy(VHOST, "rogue", r"^agency\.customs\.", {"max-length": 5}, "queues", 100)
    with pytest.raises(ConfigurationError) as caught:
        verify_memory(table, broker, VHOST)
    message = caught.value.message
    assert "queue agency.customs.inbox: effective policy is rogue, expected nsw.inbox.customs" in message
    assert "queue agency.customs.inbox: max-length is 5, expected 100000" in message
    assert "queue agency.customs.inbox: delivery-limit is None, expected 20" in message
    assert "agency.border-guard" not in message


def test_users_get_passwords_once_and_least_privilege(table: Topology) -> None:
    broker = MemoryBroker()
    apply_memory(table, broker, VHOST)
    first = ensure_users_memory(table, broker, VHOST)
    assert {c.user for c in first.issued} == {u.name for u in table.users}
    assert len({c.password for c in first.issued}) == len(first.issued)
    again = ensure_users_memory(table, broker, VHOST)
    assert again.issued == ()
    assert set(again.unchanged) == {u.name for u in table.users}
    grant = broker.permissions(VHOST, "nsw-agency-customs")
    assert grant is not None
    assert (grant.configure, grant.read) == ("^$", r"^agency\.customs\.inbox$")
    rotated = ensure_users_memory(table, broker, VHOST, rotate=True)
    assert len(rotated.issued) == len(table.users)


def test_mismatches_lists_missing_queues_wrong_types_and_bindings(table: Topology) -> None:
    observed = {
        q.name: ObservedQueue(q.name, "quorum", q.policy, dict(table.policy(q.policy).definition))
        for q in table.queues
        if q.policy
    }
    assert mismatches(table, observed) == []
    observed.pop("nsw.router")
    observed["nsw.aggregator"] = ObservedQueue(
        "nsw.aggregator", "classic", "nsw.hub", observed["nsw.aggregator"].effective_policy_definition
    )
    problems = mismatches(table, observed, bindings={})
    assert "queue nsw.router: missing" in problems
    assert "queue nsw.aggregator: type is classic, expected quorum" in problems
    assert "binding nsw.intake -> nsw.router ('submission'): missing" in problems
