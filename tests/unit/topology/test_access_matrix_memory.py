"""Every broker user x every exchange (write) and queue (read) of the table on the in-memory broker: every
refusal refused, every allowance allowed, exactly as the table's permissions say (RabbitMQ's unanchored
regex match). The same matrix runs on RabbitMQ in tests/integration/topology/test_access_matrix.py."""

from __future__ import annotations

import json
import re

import pytest

from singlewindow.platform.catalogue import Catalogue, default_path, load_catalogue, parse_catalogue
from singlewindow.platform.errors import AccessDenied
from singlewindow.platform.settings import TopologySettings
from singlewindow.platform.topology import Topology, build_topology, names
from singlewindow.platform.topology.apply import apply_memory
from singlewindow.platform.topology.users import ensure_users_memory
from singlewindow.platform.transport import Delivery, MemoryBroker, MemoryTransport, OutgoingMessage

VHOST = "access-matrix"
DEFAULT_EXCHANGE = ""  # amq.default: straight into any queue by name, if a user could write it
PARTNERS = ("cn", "uz")


def with_partners(*keys: str) -> Catalogue:
    """The shipped catalogue with two partner hubs (so each partner has another one to be kept from)."""
    data = json.loads(default_path().read_text(encoding="utf-8"))
    data["recipients"] = [r for r in data["recipients"] if r["kind"] == "AGENCY"] + [
        {
            "id": f"partner-{key}",
            "kind": "PARTNER",
            "name": f"Single window of {key.upper()}",
            "brokerUser": f"nsw-partner-{key}",
            "view": "view-customs",
            "decisionDeadline": "P1D",
            "retryTiers": ["PT5S"],
        }
        for key in keys
    ]
    return parse_catalogue(data, "access-matrix catalogue")


def _allowed(pattern: str, name: str) -> bool:
    return re.search(pattern, "amq.default" if name == DEFAULT_EXCHANGE else name) is not None


async def _never(delivery: Delivery) -> None:
    raise AssertionError("the probe queues are empty")


@pytest.fixture
def broker() -> tuple[MemoryBroker, Topology, dict[str, str]]:
    table = build_topology(with_partners(*PARTNERS), TopologySettings())
    memory = MemoryBroker()
    apply_memory(table, memory, VHOST)
    passwords = {c.user: c.password for c in ensure_users_memory(table, memory, VHOST).issued}
    return memory, table, passwords


async def test_every_user_may_touch_exactly_what_the_table_grants(
    broker: tuple[MemoryBroker, Topology, dict[str, str]],
) -> None:
    memory, table, passwords = broker
    exchanges = [e.name for e in table.exchanges] + [DEFAULT_EXCHANGE]
    queues = [q.name for q in table.queues]
    wrong: list[str] = []
    for user in table.users:
        grant = table.permission(user.name)
        transport = MemoryTransport(memory, VHOST, user.name, passwords[user.name])
        for queue in queues:  # reads first, while every queue is empty
            expected = _allowed(grant.read, queue)
            try:
                subscription = await transport.consume(queue, _never, prefetch=1)
            except AccessDenied:
                if expected:
                    wrong.append(f"{user.name} refused read of {queue}")
            else:
                await subscription.cancel()
                if not expected:
                    wrong.append(f"{user.name} allowed read of {queue}")
        for exchange in exchanges:
            expected = _allowed(grant.write, exchange)
            probe = OutgoingMessage(exchange, "access-matrix-probe", b"{}", message_id="probe", mandatory=False)
            try:
                await transport.publish(probe)
            except AccessDenied:
                if expected:
                    wrong.append(f"{user.name} refused write to {exchange or 'amq.default'}")
            else:
                if not expected:
                    wrong.append(f"{user.name} allowed write to {exchange or 'amq.default'}")
        await transport.close()
    assert wrong == []


def test_the_table_grants_no_agency_a_way_into_the_dead_letters() -> None:
    """What the matrix above holds the brokers to, stated plainly (issue 11, defect 1)."""
    table = build_topology(load_catalogue(), TopologySettings())
    dead_letter_exchanges = [e.name for e in table.exchanges if e.name.startswith("nsw.dlx.")]
    for agency in load_catalogue().agencies():
        grant = table.permission(agency.broker_user)
        assert not any(_allowed(grant.write, x) for x in [*dead_letter_exchanges, DEFAULT_EXCHANGE])
        assert not _allowed(grant.read, names.DEADLETTERS_QUEUE)
    hub = table.permission(names.HUB_USER)
    assert [x for x in dead_letter_exchanges if _allowed(hub.write, x)] == [names.HUB_DEAD_LETTER_EXCHANGE]


async def test_the_partner_and_link_users_are_held_to_their_link(
    broker: tuple[MemoryBroker, Topology, dict[str, str]],
) -> None:
    """The new principals of issue 13, probed on the broker: the link user writes only its inbound exchange;
    a partner's gateway reads nothing of another partner or of any agency, writes no nsw.agency or DLX."""
    memory, table, passwords = broker
    assert {u.name for u in table.users} >= {"nsw-link-cn", "nsw-link-uz", "nsw-partner-cn", "nsw-partner-uz"}
    exchanges = [e.name for e in table.exchanges] + [DEFAULT_EXCHANGE]
    link = MemoryTransport(memory, VHOST, "nsw-link-cn", passwords["nsw-link-cn"])
    written = []
    for exchange in exchanges:
        try:
            await link.publish(OutgoingMessage(exchange, "cn", b"{}", message_id="probe", mandatory=False))
        except AccessDenied:
            continue
        written.append(exchange)
    assert written == ["crossborder.in.cn"]
    for queue in [q.name for q in table.queues]:
        with pytest.raises(AccessDenied):
            await link.consume(queue, _never, prefetch=1)
    await link.close()

    gateway = MemoryTransport(memory, VHOST, "nsw-partner-cn", passwords["nsw-partner-cn"])
    foreign = ["crossborder.in.uz", "crossborder.out.uz", "agency.partner-uz.inbox", "crossborder.cn.dlq"]
    foreign += [names.inbox_queue(a.id) for a in load_catalogue().agencies()]
    for queue in foreign:
        with pytest.raises(AccessDenied):
            await gateway.consume(queue, _never, prefetch=1)
    dead_letter_exchanges = [e for e in exchanges if e.startswith("nsw.dlx.")]
    for exchange in [names.AGENCY_EXCHANGE, "crossborder.out.uz", "crossborder.in.cn", *dead_letter_exchanges]:
        with pytest.raises(AccessDenied):
            await gateway.publish(OutgoingMessage(exchange, "cn", b"{}", message_id="probe", mandatory=False))
    for queue in ("agency.partner-cn.inbox", "crossborder.in.cn"):
        await (await gateway.consume(queue, _never, prefetch=1)).cancel()
    await gateway.publish(OutgoingMessage("crossborder.out.cn", "cn", b"{}", message_id="out"))
    assert [m.message_id for m in memory.queue_messages(VHOST, "crossborder.out.cn")] == ["out"]
    await gateway.close()
