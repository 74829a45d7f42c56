"""Least-privilege broker users on the real RabbitMQ: each agency reads its own inbox and writes only
decisions and its own retry exchange (no dead-letter exchange, its own neither)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from singlewindow.platform.errors import AccessDenied
from singlewindow.platform.transport import Delivery, OutgoingMessage

pytestmark = pytest.mark.integration


async def _receive_one(transport: Any, queue: str) -> Delivery:
    got: asyncio.Queue[Delivery] = asyncio.Queue()

    async def keep(delivery: Delivery) -> None:
        await delivery.ack()
        await got.put(delivery)

    subscription = await transport.consume(queue, keep, prefetch=1)
    try:
        async with asyncio.timeout(10):
            return await got.get()
    finally:
        await subscription.cancel()


async def test_an_agency_user_is_refused_everywhere_but_its_own_lane(topology_vhost: Any) -> None:
    await topology_vhost.declare(topology_vhost.catalogue(agencies=("customs", "border-guard")), verify=False)
    await topology_vhost.make_users()
    hub = await topology_vhost.open(topology_vhost.user())
    customs_user = topology_vhost.user("customs")
    customs = await topology_vhost.open(customs_user)

    document = OutgoingMessage("nsw.agency", "customs", b"{}", message_id="doc-1", user_id=topology_vhost.user())
    await hub.publish(document)
    received = await _receive_one(customs, "agency.customs.inbox")
    assert (received.message_id, received.user_id) == ("doc-1", topology_vhost.user())

    with pytest.raises(AccessDenied):
        await customs.consume("agency.border-guard.inbox", _never, prefetch=1)
    with pytest.raises(AccessDenied):
        await customs.publish(OutgoingMessage("nsw.retry.border-guard", "1s", b"{}", message_id="x"))
    with pytest.raises(AccessDenied):
        await customs.publish(OutgoingMessage("nsw.dlx.border-guard", "border-guard", b"{}", message_id="x"))
    with pytest.raises(AccessDenied):  # not even its own dead-letter exchange: only the broker dead-letters
        await customs.publish(OutgoingMessage("nsw.dlx.customs", "customs", b"{}", message_id="x"))
    with pytest.raises(AccessDenied):
        await customs.publish(OutgoingMessage("nsw.agency", "border-guard", b"{}", message_id="x"))
    with pytest.raises(AccessDenied):  # a decision claiming to be another agency's
        await customs.publish(
            OutgoingMessage("nsw.decisions", "decision", b"{}", user_id=topology_vhost.user("border-guard"))
        )

    # Still usable after the refusals: its own decision and its own retry tier are accepted.
    await customs.publish(OutgoingMessage("nsw.decisions", "decision", b"{}", message_id="d-1", user_id=customs_user))
    await customs.publish(OutgoingMessage("nsw.retry.customs", "1s", b"{}", message_id="r-1"))
    aggregator = await _receive_one(hub, "nsw.aggregator")
    assert (aggregator.message_id, aggregator.user_id) == ("d-1", customs_user)
    await _receive_one(customs, "agency.customs.inbox")  # the retried copy came back after its 1 s TTL


async def test_the_hub_user_may_create_only_server_named_queues(topology_vhost: Any) -> None:
    await topology_vhost.declare(topology_vhost.catalogue(agencies=("customs",)), verify=False)
    await topology_vhost.make_users()
    hub = await topology_vhost.open(topology_vhost.user())
    statuses: asyncio.Queue[Delivery] = asyncio.Queue()

    async def keep(delivery: Delivery) -> None:
        await delivery.ack()
        await statuses.put(delivery)

    watch = await hub.consume_private("nsw.status", "status.#", keep, prefetch=10)
    assert watch.queue.startswith("amq.gen-")
    await hub.publish(OutgoingMessage("nsw.status", "status.S-1", b"{}", message_id="st-1", mandatory=True))
    async with asyncio.timeout(10):
        assert (await statuses.get()).message_id == "st-1"
    await watch.cancel()
    with pytest.raises(AccessDenied):
        await hub.consume("agency.customs.inbox", _never, prefetch=1)


async def _never(delivery: Delivery) -> None:
    raise AssertionError("no delivery expected")


async def test_a_least_privilege_agency_user_reconnects_and_keeps_consuming(topology_vhost: Any) -> None:
    """It declares nothing (passive only), so its rights suffice to come back after a dropped connection."""
    await topology_vhost.declare(topology_vhost.catalogue(agencies=("customs",)), verify=False)
    await topology_vhost.make_users()
    hub = await topology_vhost.open(topology_vhost.user())
    customs_user = topology_vhost.user("customs")
    customs = await topology_vhost.open(customs_user)
    received: asyncio.Queue[str | None] = asyncio.Queue()

    async def keep(delivery: Delivery) -> None:
        await delivery.ack()
        await received.put(delivery.message_id)

    subscription = await customs.consume("agency.customs.inbox", keep, prefetch=5)
    await hub.publish(OutgoingMessage("nsw.agency", "customs", b"{}", message_id="before"))
    async with asyncio.timeout(10):
        assert await received.get() == "before"

    client, vhost = topology_vhost.client, topology_vhost.vhost
    connections: list[dict[str, Any]] = []
    for _ in range(50):  # the management API lists a new connection after its next statistics sample
        connections = [c for c in await client.list_connections(vhost) if c.get("user") == customs_user]
        if connections:
            break
        await asyncio.sleep(0.2)
    assert connections, "the agency's connection should be listed"
    for connection in connections:
        await client.close_connection(connection["name"], "topology test: drop the agency's link")

    await hub.publish(OutgoingMessage("nsw.agency", "customs", b"{}", message_id="after"))
    async with asyncio.timeout(20):
        assert await received.get() == "after"
    assert customs.reconnects >= 1
    await subscription.cancel()
