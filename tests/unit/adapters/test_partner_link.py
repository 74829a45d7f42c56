"""The cross-border link a PARTNER recipient's adapter gets (adapters/sdk/link.py), on the in-memory broker
with the topology ``nsw topology declare`` gives RabbitMQ, logged in as the partner's gateway user."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import structlog

from singlewindow.adapters import Adapter, AdapterContext, Handover, InboundDocument
from singlewindow.adapters.sdk.link import LinkFull, LinkMessage, TransportLink
from singlewindow.adapters.sdk.runtime import AdapterRuntime
from singlewindow.platform.catalogue import Catalogue, default_path, parse_catalogue
from singlewindow.platform.errors import BrokerUnavailable, TransientError
from singlewindow.platform.settings import HubSettings, Settings, TopologySettings
from singlewindow.platform.testing.embedded import embedded_hub
from singlewindow.platform.testing.harness import AdapterHarness, adapter_harness
from singlewindow.platform.testing.routing_copy import short_retry_routing
from singlewindow.platform.topology import build_topology
from singlewindow.platform.topology.apply import apply_memory
from singlewindow.platform.transport import MemoryBroker, MemoryTransport, OutgoingMessage

VHOST = "kz"
PARTNER = {
    "id": "partner-cn",
    "kind": "PARTNER",
    "name": "China single window",
    "brokerUser": "nsw-partner-cn",
    "view": "view-customs",
    "decisionDeadline": "P1D",
    "retryTiers": ["PT1S"],
}


def catalogue_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(default_path().read_text(encoding="utf-8"))
    data["recipients"] = [r for r in data["recipients"] if r["kind"] == "AGENCY"] + [PARTNER]
    return data


def catalogue() -> Catalogue:
    return parse_catalogue(catalogue_data(), "partner link test")


@pytest.fixture
def broker() -> MemoryBroker:
    memory = MemoryBroker()
    table = build_topology(catalogue(), TopologySettings())
    apply_memory(table, memory, VHOST)
    for user in table.users:
        memory.add_user(user.name, "pw")
    for grant in table.permissions:
        memory.set_permissions(VHOST, grant.user, grant.configure, grant.write, grant.read)
    return memory


@pytest.fixture
async def link(broker: MemoryBroker) -> AsyncIterator[TransportLink]:
    transport = MemoryTransport(broker, VHOST, "nsw-partner-cn", "pw")
    yield TransportLink(transport, "cn", structlog.get_logger(), transient_delay=0.01)
    await transport.close()


async def from_partner(broker: MemoryBroker, message_id: str) -> None:
    """What the partner's Shovel does: publish into crossborder.in.cn as nsw-link-cn."""
    shovel = MemoryTransport(broker, VHOST, "nsw-link-cn", "pw")
    body = json.dumps({"envelopeId": message_id}).encode()
    await shovel.publish(
        OutgoingMessage("crossborder.in.cn", "kz", body, message_id=message_id, type="crossborder-envelope")
    )
    await shovel.close()


async def until(condition: Callable[[], bool], within: float = 2.0) -> None:
    async with asyncio.timeout(within):
        while True:
            if condition():
                return
            await asyncio.sleep(0.005)


def ids(broker: MemoryBroker, queue: str) -> list[str | None]:
    return [m.message_id for m in broker.queue_messages(VHOST, queue)]


async def test_send_publishes_to_the_out_queue_without_a_user_id(broker: MemoryBroker, link: TransportLink) -> None:
    await link.send("env-1", "crossborder-envelope", b'{"a": 1}')
    (sent,) = broker.queue_messages(VHOST, "crossborder.out.cn")
    assert (sent.exchange, sent.routing_key, sent.message_id, sent.type) == (
        "crossborder.out.cn",
        "cn",
        "env-1",
        "crossborder-envelope",
    )
    assert (sent.body, sent.user_id, sent.content_type, sent.persistent, sent.mandatory) == (
        b'{"a": 1}',
        None,
        "application/json",
        True,
        True,
    )
    assert link.partner == "cn"


async def test_a_full_link_and_a_closed_broker_are_transient(broker: MemoryBroker, link: TransportLink) -> None:
    definition = dict(broker.effective_policy(VHOST, "crossborder.out.cn").definition)  # type: ignore[union-attr]
    broker.set_policy(VHOST, "tiny", "^crossborder\\.out\\.cn$", {**definition, "max-length": 1}, priority=99)
    await link.send("env-1", "crossborder-envelope", b"{}")
    await link.send("env-2", "crossborder-envelope", b"{}")  # a quorum queue takes one over its limit
    with pytest.raises(LinkFull) as full:
        await link.send("env-3", "crossborder-envelope", b"{}")
    assert isinstance(full.value, TransientError)
    closed = MemoryTransport(broker, VHOST, "nsw-partner-cn", "pw")
    await closed.close()
    with pytest.raises(BrokerUnavailable):
        await TransportLink(closed, "cn", structlog.get_logger()).send("env-4", "crossborder-envelope", b"{}")


async def test_receive_acks_requeues_transient_failures_and_dead_letters_the_rest(
    broker: MemoryBroker, link: TransportLink
) -> None:
    seen: list[LinkMessage] = []
    failures = {"transient": 2}

    async def handler(message: LinkMessage) -> None:
        seen.append(message)
        if message.message_id == "transient" and failures["transient"]:
            failures["transient"] -= 1
            raise BrokerUnavailable("the store is down")
        if message.message_id == "broken":
            raise ValueError("not an envelope")

    subscription = await link.receive(handler, prefetch=5)
    for message_id in ("fine", "transient", "broken"):
        await from_partner(broker, message_id)
    await until(lambda: [m.message_id for m in seen].count("transient") == 3 and ids(broker, "crossborder.cn.dlq"))
    await until(lambda: broker.queue_state(VHOST, "crossborder.in.cn").message_count == 0)
    await subscription.cancel()
    assert ids(broker, "crossborder.cn.dlq") == ["broken"]
    assert ids(broker, "crossborder.in.cn") == []
    fine = next(m for m in seen if m.message_id == "fine")
    assert (fine.type, json.loads(fine.body), fine.redelivered) == (
        "crossborder-envelope",
        {"envelopeId": "fine"},
        False,
    )
    assert [m.redelivered for m in seen if m.message_id == "transient"] == [False, True, True]
    assert [m.message_id for m in seen].count("fine") == 1 and [m.message_id for m in seen].count("broken") == 1


class LinkEcho(Adapter[Any]):
    """A stand-in gateway: sends what it is handed to the partner, records what the partner sends."""

    agency = "partner-cn"

    def __init__(self) -> None:
        self.received: list[LinkMessage] = []

    async def setup(self, context: AdapterContext[Any]) -> None:
        assert context.link is not None
        await context.link.receive(self.on_link)

    async def on_link(self, message: LinkMessage) -> None:
        self.received.append(message)

    async def deliver(self, document: InboundDocument) -> Handover:
        raise AssertionError("not routed here in this test")


def test_the_runtime_gives_a_link_to_a_partner_only(broker: MemoryBroker) -> None:
    table = catalogue()
    transport = MemoryTransport(broker, VHOST, "nsw-partner-cn", "pw")

    def runtime(recipient: str) -> AdapterRuntime:
        return AdapterRuntime("t", LinkEcho(), table.get(recipient), None, transport, None, None)  # type: ignore[arg-type]

    link = runtime("partner-cn").link()
    assert isinstance(link, TransportLink) and link.partner == "cn"
    assert runtime("customs").link() is None


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[tuple[AdapterHarness, LinkEcho]]:
    routing = short_retry_routing(tmp_path / "routing")
    (routing / "recipients.json").write_text(json.dumps(catalogue_data()), encoding="utf-8")
    adapter = LinkEcho()
    settings = Settings(hub=HubSettings(routing_dir=routing))
    async with (
        embedded_hub(tmp_path / "hub.db", settings, start=False) as embedded,
        adapter_harness(embedded, adapter, store_url=f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}", others=None) as h,
    ):
        yield h, adapter


async def test_the_harness_runs_a_partner_adapter_with_its_link(harness: tuple[AdapterHarness, LinkEcho]) -> None:
    running, adapter = harness
    assert running.partner == "cn"
    assert adapter.context.link is not None
    await adapter.context.link.send("env-out", "crossborder-envelope", b"{}")
    assert [m.message_id for m in running.link_sent()] == ["env-out"]
    await running.from_partner("env-in", "crossborder-receipt", b'{"r": 1}')
    await running.until(lambda: asyncio.sleep(0, bool(adapter.received)))
    (received,) = adapter.received
    assert (received.message_id, received.type, received.body) == ("env-in", "crossborder-receipt", b'{"r": 1}')
