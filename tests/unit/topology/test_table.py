"""The topology table built from the catalogue: complete per agency, least privilege, documented."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from singlewindow.platform.catalogue import load_catalogue
from singlewindow.platform.cli.main import cli
from singlewindow.platform.settings import TopologySettings
from singlewindow.platform.topology import QueueType, Topology, build_topology, names
from singlewindow.platform.topology.render import render_markdown

ROOT = Path(__file__).resolve().parents[3]
CATALOGUE = load_catalogue()
AGENCIES = [a.id for a in CATALOGUE.agencies()]


@pytest.fixture(scope="module")
def table() -> Topology:
    return build_topology(CATALOGUE, TopologySettings())


def _allowed(pattern: str, name: str) -> bool:
    """RabbitMQ matches permission regexes unanchored; ours carry their own anchors."""
    return re.search(pattern, name) is not None


def test_every_agency_gets_inbox_wait_tiers_dlq_and_exchanges(table: Topology) -> None:
    queues = {q.name for q in table.queues}
    exchanges = {e.name for e in table.exchanges}
    bindings = {(b.exchange, b.routing_key, b.queue) for b in table.bindings}
    for agency in CATALOGUE.agencies():
        aid = agency.id
        assert {f"agency.{aid}.inbox", f"agency.{aid}.dlq"} <= queues
        assert {f"nsw.retry.{aid}", f"nsw.dlx.{aid}"} <= exchanges
        assert ("nsw.agency", aid, f"agency.{aid}.inbox") in bindings
        assert (f"nsw.retry.{aid}", "dead-letter", f"agency.{aid}.inbox") in bindings
        assert (f"nsw.dlx.{aid}", "", f"agency.{aid}.dlq") in bindings
        assert (f"nsw.dlx.{aid}", "", "nsw.deadletters") in bindings
        for tier, label in zip(agency.retry_tiers, ["5s", "30s", "5m"], strict=True):
            wait = f"agency.{aid}.wait.{label}"
            assert wait in queues
            assert (f"nsw.retry.{aid}", label, wait) in bindings
            policy = table.policy(table.queue(wait).policy or "")
            assert policy.definition["message-ttl"] == tier.total_seconds() * 1000
            assert policy.definition["dead-letter-exchange"] == "nsw.agency"
            assert policy.definition["dead-letter-routing-key"] == aid
        inbox_policy = table.policy(table.queue(f"agency.{aid}.inbox").policy or "")
        assert inbox_policy.definition["dead-letter-exchange"] == f"nsw.dlx.{aid}"
    assert {"nsw.intake", "nsw.agency", "nsw.decisions", "nsw.status"} <= exchanges
    assert {"nsw.router", "nsw.aggregator", "nsw.deadletters"} <= queues


def test_every_queue_is_quorum_and_its_one_policy_holds_every_key(table: Topology) -> None:
    for queue in table.queues:
        assert queue.type is QueueType.QUORUM
        assert queue.policy is not None
        matching = [p.name for p in table.policies if re.search(p.pattern, queue.name)]
        assert matching == [queue.policy], f"{queue.name} is matched by {matching}"
        definition = table.policy(queue.policy).definition
        assert definition["overflow"] == "reject-publish"
        assert isinstance(definition["max-length"], int)
        if queue.name == names.HUB_DLQ:  # the terminal parking queue: no limit, nothing to drop into
            assert "delivery-limit" not in definition
            continue
        assert int(definition["delivery-limit"]) >= 20
        assert definition["dead-letter-strategy"] == "at-least-once"
        assert definition["dead-letter-exchange"] in {e.name for e in table.exchanges}


def test_delivery_limit_below_20_is_refused() -> None:
    with pytest.raises(ValueError, match="greater than or equal to 20"):
        TopologySettings(delivery_limit=5)


def test_no_two_policies_share_a_name_and_names_are_unique(table: Topology) -> None:
    for items in (table.exchanges, table.queues, table.policies, table.users):
        seen = [item.name for item in items]
        assert len(seen) == len(set(seen))


def test_agency_users_are_least_privilege(table: Topology) -> None:
    every_name = {e.name for e in table.exchanges} | {q.name for q in table.queues}
    for agency in CATALOGUE.agencies():
        grant = table.permission(agency.broker_user)
        assert {n for n in every_name | {"amq.gen-x"} if _allowed(grant.configure, n)} == set()
        assert {n for n in every_name if _allowed(grant.read, n)} == {f"agency.{agency.id}.inbox"}
        assert {n for n in every_name if _allowed(grant.write, n)} == {"nsw.decisions", f"nsw.retry.{agency.id}"}


def test_nothing_an_agency_writes_leads_into_a_dead_letter_exchange_or_nsw_deadletters(table: Topology) -> None:
    """The only way into nsw.deadletters is the broker dead-lettering from an inbox (issue 11, defect 1)."""
    dead_letter_exchanges = {
        str(p.definition["dead-letter-exchange"]) for p in table.policies if "dead-letter-exchange" in p.definition
    }
    for agency in CATALOGUE.agencies():
        grant = table.permission(agency.broker_user)
        writable = {e.name for e in table.exchanges if _allowed(grant.write, e.name)}
        assert writable.isdisjoint(dead_letter_exchanges - {"nsw.agency"})
        assert not any(_allowed(grant.write, e) for e in dead_letter_exchanges if e.startswith("nsw.dlx."))
        reached = {b.queue for b in table.bindings if b.exchange in writable}
        assert "nsw.deadletters" not in reached and "nsw.hub.dlq" not in reached
        assert reached <= {"nsw.aggregator", f"agency.{agency.id}.inbox"} | {
            q.name for q in table.queues if q.name.startswith(f"agency.{agency.id}.wait.")
        }


def test_the_hub_user_configures_only_server_named_queues(table: Topology) -> None:
    grant = table.permission(names.HUB_USER)
    every_name = {e.name for e in table.exchanges} | {q.name for q in table.queues}
    assert _allowed(grant.configure, "amq.gen-JzTY20BRgKO-HjmUJj0wLg")
    assert not any(_allowed(grant.configure, n) for n in every_name)
    readable = {n for n in every_name if _allowed(grant.read, n)}
    assert readable == {"nsw.router", "nsw.aggregator", "nsw.deadletters", "nsw.hub.dlq", "nsw.status"} | {
        f"agency.{r.id}.dlq"
        for r in CATALOGUE.recipients  # partner hubs' inboxes dead-letter alike
    }
    assert not any(_allowed(grant.read, f"agency.{a}.inbox") for a in AGENCIES)
    writable = {n for n in every_name if _allowed(grant.write, n)}
    assert writable == {"nsw.intake", "nsw.agency", "nsw.decisions", "nsw.status", "nsw.dlx.hub"}


def test_a_retry_exchange_cannot_reach_another_agency(table: Topology) -> None:
    """The wait queues fix the dead-letter routing key, so a forged key cannot cross into another inbox; the
    dead-letter key leads straight into the agency's own inbox."""
    for agency in AGENCIES:
        for binding in table.bindings:
            if binding.exchange == f"nsw.retry.{agency}" and binding.routing_key == "dead-letter":
                assert binding.queue == f"agency.{agency}.inbox"
            elif binding.exchange == f"nsw.retry.{agency}":
                definition = table.policy(table.queue(binding.queue).policy or "").definition
                assert definition["dead-letter-routing-key"] == agency


def test_tier_names() -> None:
    assert names.tier_name(timedelta(seconds=90)) == "1m30s"
    assert names.tier_name(timedelta(days=1, hours=2)) == "1d2h"
    with pytest.raises(ValueError, match="positive whole number of seconds"):
        names.tier_name(timedelta(milliseconds=1500))


def test_the_committed_names_doc_is_current(table: Topology) -> None:
    committed = (ROOT / "docs" / "topology.md").read_text()
    assert committed == render_markdown(table), "regenerate: nsw topology names --markdown > docs/topology.md"


def test_the_names_command_prints_the_doc(table: Topology, monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in [v for v in __import__("os").environ if v.startswith("NSW_")]:
        monkeypatch.delenv(variable)
    result = CliRunner().invoke(cli, ["topology", "names", "--markdown"])
    assert result.exit_code == 0, result.output
    assert result.output == render_markdown(table)
    plain = CliRunner().invoke(cli, ["topology", "names"]).output
    assert "queue\tagency.border-guard.inbox\tnsw.inbox.border-guard" in plain
