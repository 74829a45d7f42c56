"""The cross-border part of the topology table (issue 13): a PARTNER recipient gets an inbox like an
agency's, plus its link (out and in queues with their dead letters) and a link user for its Shovel."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from singlewindow.platform.catalogue import Catalogue, default_path, parse_catalogue
from singlewindow.platform.errors import ConfigurationError
from singlewindow.platform.settings import TopologySettings
from singlewindow.platform.topology import QueueType, Topology, build_topology, names
from singlewindow.platform.topology.apply import apply_memory
from singlewindow.platform.topology.render import render_markdown
from singlewindow.platform.transport import MemoryBroker


def partner_entry(key: str, user_suffix: str = "") -> dict[str, Any]:
    return {
        "id": f"partner-{key}",
        "kind": "PARTNER",
        "name": f"Single window of {key.upper()}",
        "brokerUser": f"nsw-partner-{key}{user_suffix}",
        "view": "view-customs",
        "decisionDeadline": "P1D",
        "retryTiers": ["PT5S", "PT30S"],
    }


def with_partners(*keys: str) -> Catalogue:
    """The shipped catalogue with these partners (replacing any of the same id it already ships)."""
    data = json.loads(default_path().read_text(encoding="utf-8"))
    ids = {f"partner-{k}" for k in keys}
    data["recipients"] = [r for r in data["recipients"] if r["id"] not in ids] + [partner_entry(k) for k in keys]
    return parse_catalogue(data, "test catalogue")


@pytest.fixture(scope="module")
def table() -> Topology:
    return build_topology(with_partners("cn", "uz"), TopologySettings())


def _allowed(pattern: str, name: str) -> bool:
    return re.search(pattern, name) is not None


def test_partner_keys_come_from_the_recipient_id() -> None:
    assert names.partner_key("partner-cn") == "cn"
    assert names.partner_recipient("cn") == "partner-cn"
    with pytest.raises(ConfigurationError, match="partner-<key>"):
        names.partner_key("customs")
    with pytest.raises(ConfigurationError):
        names.partner_key("partner-")


def test_the_names_of_a_link() -> None:
    assert names.crossborder_out_exchange("cn") == names.crossborder_out_queue("cn") == "crossborder.out.cn"
    assert names.crossborder_in_exchange("kz") == names.crossborder_in_queue("kz") == "crossborder.in.kz"
    assert names.crossborder_dead_letter_exchange("cn") == "nsw.dlx.crossborder.cn"
    assert names.crossborder_dlq("cn") == "crossborder.cn.dlq"
    assert names.link_user("kz") == "nsw-link-kz"
    assert names.shovel_name("cn") == "nsw-crossborder-cn"


def test_a_partner_gets_the_inbox_machinery_of_an_agency(table: Topology) -> None:
    queues = {q.name for q in table.queues}
    bindings = {(b.exchange, b.routing_key, b.queue) for b in table.bindings}
    for rid in ("partner-cn", "partner-uz"):
        assert {f"agency.{rid}.inbox", f"agency.{rid}.dlq", f"agency.{rid}.wait.5s", f"agency.{rid}.wait.30s"} <= queues
        assert ("nsw.agency", rid, f"agency.{rid}.inbox") in bindings
        assert (f"nsw.retry.{rid}", "dead-letter", f"agency.{rid}.inbox") in bindings
        assert (f"nsw.dlx.{rid}", "", "nsw.deadletters") in bindings
        assert table.policy(f"nsw.inbox.{rid}").definition["dead-letter-exchange"] == f"nsw.dlx.{rid}"


def test_a_partner_gets_its_link_queues_and_dead_letters(table: Topology) -> None:
    bindings = {(b.exchange, b.routing_key, b.queue) for b in table.bindings}
    for key in ("cn", "uz"):
        assert table.exchange(f"crossborder.out.{key}").type.value == "direct"
        assert table.exchange(f"crossborder.in.{key}").type.value == "fanout"
        assert table.exchange(f"nsw.dlx.crossborder.{key}").type.value == "fanout"
        assert (f"crossborder.out.{key}", key, f"crossborder.out.{key}") in bindings
        assert (f"crossborder.in.{key}", "", f"crossborder.in.{key}") in bindings
        assert (f"nsw.dlx.crossborder.{key}", "", f"crossborder.{key}.dlq") in bindings
        for queue in (f"crossborder.out.{key}", f"crossborder.in.{key}"):
            found = table.queue(queue)
            assert found.type is QueueType.QUORUM
            definition = table.policy(found.policy or "").definition
            assert definition["dead-letter-exchange"] == f"nsw.dlx.crossborder.{key}"
            assert int(definition["delivery-limit"]) >= 20
            assert definition["overflow"] == "reject-publish"
        dlq_policy = table.policy(table.queue(f"crossborder.{key}.dlq").policy or "")
        assert dlq_policy.name == names.CROSSBORDER_DLQ_POLICY
        assert dlq_policy.definition["dead-letter-exchange"] == names.HUB_DEAD_LETTER_EXCHANGE


def test_each_queue_still_has_exactly_one_policy(table: Topology) -> None:
    for queue in table.queues:
        matching = [p.name for p in table.policies if re.search(p.pattern, queue.name)]
        assert matching == [queue.policy], f"{queue.name} is matched by {matching}"


def test_the_partner_user_reads_its_inbox_and_link_and_writes_its_own_exchanges(table: Topology) -> None:
    every = {e.name for e in table.exchanges} | {q.name for q in table.queues} | {"amq.default", "amq.gen-x"}
    grant = table.permission("nsw-partner-cn")
    assert {n for n in every if _allowed(grant.configure, n)} == set()
    assert {n for n in every if _allowed(grant.read, n)} == {"agency.partner-cn.inbox", "crossborder.in.cn"}
    assert {n for n in every if _allowed(grant.write, n)} == {
        "nsw.decisions",
        "nsw.retry.partner-cn",
        "crossborder.out.cn",  # the exchange (and the queue of the same name as a binding target)
    }


def test_the_link_user_writes_exactly_its_inbound_exchange(table: Topology) -> None:
    every = {e.name for e in table.exchanges} | {q.name for q in table.queues} | {"amq.default", "amq.gen-x"}
    for key in ("cn", "uz"):
        user = next(u for u in table.users if u.name == f"nsw-link-{key}")
        assert user.tags == ()
        grant = table.permission(user.name)
        assert {n for n in every if _allowed(grant.configure, n)} == set()
        assert {n for n in every if _allowed(grant.read, n)} == set()
        assert {n for n in every if _allowed(grant.write, n)} == {f"crossborder.in.{key}"}


def test_the_hub_user_is_unchanged_but_for_the_partner_inbox_dlqs(table: Topology) -> None:
    grant = table.permission(names.HUB_USER)
    every = {e.name for e in table.exchanges} | {q.name for q in table.queues}
    assert {n for n in every if _allowed(grant.write, n)} == {
        "nsw.intake",
        "nsw.agency",
        "nsw.decisions",
        "nsw.status",
        "nsw.dlx.hub",
    }
    readable = {n for n in every if _allowed(grant.read, n)}
    assert {"agency.partner-cn.dlq", "agency.partner-uz.dlq"} <= readable
    assert not any(n.startswith("crossborder.") for n in readable)


def test_a_catalogue_without_partners_has_no_link() -> None:
    data = json.loads(default_path().read_text(encoding="utf-8"))
    data["recipients"] = [r for r in data["recipients"] if r["kind"] == "AGENCY"]
    plain = build_topology(parse_catalogue(data), TopologySettings())
    assert not [q for q in plain.queues if q.name.startswith("crossborder.")]
    assert not [p for p in plain.policies if p.name == names.CROSSBORDER_DLQ_POLICY]


def test_a_partner_id_without_the_prefix_is_refused() -> None:
    data = json.loads(default_path().read_text(encoding="utf-8"))
    data["recipients"].append({**partner_entry("zz"), "id": "china"})
    with pytest.raises(ConfigurationError, match="partner-<key>"):
        build_topology(parse_catalogue(data), TopologySettings())


def test_the_link_applies_to_the_memory_broker_and_renders(table: Topology) -> None:
    broker = MemoryBroker()
    apply_memory(table, broker, "link")  # raises on any difference between the table and the broker
    assert "crossborder.out.cn" in broker.queues("link")
    markdown = render_markdown(table)
    assert "`nsw-link-cn`" in markdown and "`crossborder.in.uz`" in markdown


def test_link_user_names_can_be_made_unique_for_a_shared_broker() -> None:
    table = build_topology(with_partners("cn"), TopologySettings(), link_user=lambda key: f"nsw-link-{key}-t1")
    assert "nsw-link-cn-t1" in {u.name for u in table.users} and "nsw-link-cn" not in {u.name for u in table.users}
    assert table.permission("nsw-link-cn-t1").write == r"^crossborder\.in\.cn$"
