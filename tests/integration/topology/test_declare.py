"""nsw topology declare on the real RabbitMQ: idempotent, read back, and loud about any mismatch."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from click.testing import CliRunner

from singlewindow.platform.catalogue import load_catalogue
from singlewindow.platform.cli.main import cli
from singlewindow.platform.errors import ConfigurationError
from singlewindow.platform.topology.apply import apply_rabbitmq, observe_rabbitmq

pytestmark = pytest.mark.integration


async def test_declare_twice_and_read_every_queue_back(topology_vhost: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """First with ``nsw topology declare`` (the shipped catalogue), then again through the API."""
    monkeypatch.setenv("NSW_BROKER__MANAGEMENT_URL", topology_vhost.broker.management_url)
    monkeypatch.setenv("NSW_TOPOLOGY__VERIFY_TIMEOUT_SECONDS", str(topology_vhost.settle))
    command = ["topology", "declare", "--vhost", topology_vhost.vhost]
    result = await asyncio.to_thread(CliRunner().invoke, cli, command)  # the CLI runs its own event loop
    assert result.exit_code == 0, result.output
    # 38 bindings: one more per agency since issue 11 (nsw.retry.<agency> "dead-letter" -> its inbox); the
    # partner-cn recipient (issue 13) adds an agency's inbox machinery plus crossborder.out/in.cn and their DLQ
    assert "20 exchanges, 37 queues, 48 bindings, 30 policies declared" in result.output
    table = await topology_vhost.declare(load_catalogue())  # idempotent: same names, arguments, policies
    observed = await observe_rabbitmq(table, topology_vhost.client, topology_vhost.vhost, topology_vhost.settle)
    assert set(observed) == {q.name for q in table.queues}
    inbox = observed["agency.customs.inbox"]
    assert inbox.type == "quorum"
    assert inbox.policy == "nsw.inbox.customs"
    assert inbox.effective_policy_definition == {
        "delivery-limit": 20,
        "dead-letter-exchange": "nsw.dlx.customs",
        "dead-letter-strategy": "at-least-once",
        "overflow": "reject-publish",
        "max-length": 100_000,
    }
    wait = observed["agency.border-guard.wait.30s"]
    assert wait.effective_policy_definition["message-ttl"] == 30_000
    assert wait.effective_policy_definition["dead-letter-routing-key"] == "border-guard"


async def test_a_conflicting_policy_is_reported_as_a_mismatch(topology_vhost: Any) -> None:
    table = await topology_vhost.declare()
    client, vhost = topology_vhost.client, topology_vhost.vhost
    await client.put_policy(vhost, "rogue", r"^agency\.customs\.inbox$", {"max-length": 10}, "queues", 100)
    with pytest.raises(ConfigurationError) as caught:
        await apply_rabbitmq(table, client, vhost, topology_vhost.settle)
    message = caught.value.message
    assert "queue agency.customs.inbox: effective policy is rogue, expected nsw.inbox.customs" in message
    assert "queue agency.customs.inbox: dead-letter-exchange is None, expected 'nsw.dlx.customs'" in message
    assert "queue agency.customs.inbox: max-length is 10, expected 100000" in message
    assert "border-guard" not in message
    await client.delete_policy(vhost, "rogue")
    await apply_rabbitmq(table, client, vhost, topology_vhost.settle)  # back to the table: passes again


async def test_a_classic_queue_in_the_way_is_refused(topology_vhost: Any) -> None:
    client, vhost = topology_vhost.client, topology_vhost.vhost
    await client.put_queue(vhost, "agency.customs.inbox", {})
    with pytest.raises(ConfigurationError, match="inequivalent arg 'x-queue-type'"):
        await topology_vhost.declare()
