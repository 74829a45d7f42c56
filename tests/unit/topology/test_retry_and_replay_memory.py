"""Retry tiers, dead-lettering and replay on the in-memory broker with the real topology table."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from singlewindow.platform.catalogue import load_catalogue
from singlewindow.platform.dlq import REPLAYED_HEADER, origin_of, replay
from singlewindow.platform.errors import AccessDenied
from singlewindow.platform.retry import RetryRoute, retry_later
from singlewindow.platform.settings import TopologySettings
from singlewindow.platform.topology import Topology, build_topology
from singlewindow.platform.topology.apply import apply_memory
from singlewindow.platform.topology.users import ensure_users_memory
from singlewindow.platform.transport import Delivery, MemoryBroker, MemoryTransport, OutgoingMessage

VHOST = "retry-test"


@dataclass
class World:
    broker: MemoryBroker
    table: Topology
    hub: MemoryTransport
    customs: MemoryTransport
    route: RetryRoute


@pytest.fixture
async def world() -> AsyncIterator[World]:
    shipped = load_catalogue()
    customs = shipped.get("customs").model_copy(update={"retry_tiers": (timedelta(seconds=1),)})
    catalogue = shipped.model_copy(update={"recipients": (customs, shipped.get("border-guard"))})
    table = build_topology(catalogue, TopologySettings())
    broker = MemoryBroker()
    apply_memory(table, broker, VHOST)
    passwords = {c.user: c.password for c in ensure_users_memory(table, broker, VHOST).issued}
    hub = MemoryTransport(broker, VHOST, "nsw-hub", passwords["nsw-hub"])
    agency = MemoryTransport(broker, VHOST, "nsw-agency-customs", passwords["nsw-agency-customs"])
    yield World(broker, table, hub, agency, RetryRoute.for_recipient(customs))
    await agency.close()
    await hub.close()


def _document(n: int = 1) -> OutgoingMessage:
    return OutgoingMessage("nsw.agency", "customs", b'{"doc": %d}' % n, message_id=f"doc-{n}", user_id="nsw-hub")


async def _wait_for(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not true within {seconds} s")


async def test_a_failed_delivery_waits_in_its_tier_then_returns_then_dead_letters(world: World) -> None:
    seen: list[tuple[int, dict[str, object], float]] = []
    loop = asyncio.get_running_loop()

    async def always_fails(delivery: Delivery) -> None:
        seen.append((len(seen), dict(delivery.headers), loop.time()))
        await retry_later(world.customs, delivery, world.route, "agency system answered 503")

    await world.hub.publish(_document())
    subscription = await world.customs.consume("agency.customs.inbox", always_fails, prefetch=5)
    await _wait_for(lambda: world.broker.queue_state(VHOST, "agency.customs.dlq").message_count == 1)
    await subscription.cancel()
    # the document, its retry after the tier, then the marked copy that comes back only to be rejected
    assert len(seen) == 3
    assert seen[1][1]["x-nsw-retries"] == 1
    assert seen[1][2] - seen[0][2] >= 0.9, "came back before the tier's TTL"
    assert seen[2][1]["x-nsw-dead-letter"] == "retries-exhausted"
    [dead] = world.broker.queue_messages(VHOST, "agency.customs.dlq")
    assert dead.message_id == "doc-1"
    assert dead.headers["x-nsw-retries"] == 2
    assert dead.headers["x-nsw-reason"] == "agency system answered 503"
    newest = dead.headers["x-death"][0]  # dead-lettered by the broker, from the inbox, never published there
    assert (newest["queue"], newest["reason"]) == ("agency.customs.inbox", "rejected")
    assert "x-nsw-attempt" not in dead.headers  # retries never pose as the hub's delivery attempt
    assert dead.headers["x-nsw-last-error"] == "agency system answered 503"
    assert dead.headers["x-nsw-failed-queue"] == "agency.customs.inbox"
    assert [m.message_id for m in world.broker.queue_messages(VHOST, "nsw.deadletters")] == ["doc-1"]
    assert world.broker.queue_state(VHOST, "agency.customs.inbox").message_count == 0
    assert origin_of(dead.headers) == ("nsw.agency", "customs")


async def test_retries_keep_the_hubs_delivery_attempt(world: World) -> None:
    """After an operator replay the hub sends attempt 2; the retry tiers must not rewrite it, or the
    adapter's delivery report would name an older attempt and the hub would ignore it."""
    seen: list[dict[str, object]] = []

    async def fails_once(delivery: Delivery) -> None:
        seen.append(dict(delivery.headers))
        if len(seen) == 1:
            await retry_later(world.customs, delivery, world.route, "agency system answered 503")
        else:
            await delivery.ack()

    replayed = OutgoingMessage(
        "nsw.agency", "customs", b"{}", message_id="s_1.v1.customs.a2", user_id="nsw-hub", headers={"x-nsw-attempt": 2}
    )
    await world.hub.publish(replayed)
    subscription = await world.customs.consume("agency.customs.inbox", fails_once, prefetch=5)
    await _wait_for(lambda: len(seen) == 2)
    await subscription.cancel()
    assert [headers["x-nsw-attempt"] for headers in seen] == [2, 2]
    assert seen[1]["x-nsw-retries"] == 1


async def test_an_agency_cannot_use_another_agencys_retry_exchange(world: World) -> None:
    forged = OutgoingMessage("nsw.retry.border-guard", "1s", b"{}", message_id="x")
    with pytest.raises(AccessDenied):
        await world.customs.publish(forged)
    with pytest.raises(AccessDenied):
        await world.customs.consume("agency.border-guard.inbox", _never, prefetch=1)


async def _never(delivery: Delivery) -> None:
    raise AssertionError("no delivery expected")


async def test_a_poison_message_is_dead_lettered_after_the_limit_and_replayed(world: World) -> None:
    for n in range(1, 6):
        await world.hub.publish(_document(n))
    acked: list[str | None] = []

    async def poison_on_three(delivery: Delivery) -> None:
        if delivery.message_id == "doc-3":
            await delivery.nack(requeue=True)
        else:
            await delivery.ack()
            acked.append(delivery.message_id)

    subscription = await world.customs.consume("agency.customs.inbox", poison_on_three, prefetch=10)
    await _wait_for(lambda: world.broker.queue_state(VHOST, "agency.customs.dlq").message_count == 1)
    await subscription.cancel()
    assert sorted(acked) == ["doc-1", "doc-2", "doc-4", "doc-5"]
    [dead] = world.broker.queue_messages(VHOST, "agency.customs.dlq")
    assert dead.message_id == "doc-3"
    assert dead.headers["x-death"][0]["reason"] == "delivery_limit"
    assert [m.message_id for m in world.broker.queue_messages(VHOST, "nsw.deadletters")] == ["doc-3"]

    report = await replay(world.hub, "agency.customs.dlq", idle_seconds=2)
    assert report.replayed == [("doc-3", "nsw.agency", "customs")]
    assert world.broker.queue_state(VHOST, "agency.customs.dlq").message_count == 0
    [back] = world.broker.queue_messages(VHOST, "agency.customs.inbox")
    assert back.message_id == "doc-3"
    assert back.headers[REPLAYED_HEADER] == 1
    assert "x-death" not in back.headers


async def test_a_retry_that_cannot_be_published_leaves_the_delivery_unsettled(world: World) -> None:
    """No confirm, no ack: the transport requeues the delivery, so the document is never lost."""
    outcomes: list[BaseException] = []
    settled: list[bool] = []
    wrong_route = RetryRoute("nsw.retry.nowhere", (timedelta(seconds=1),))

    async def fails(delivery: Delivery) -> None:
        try:
            await retry_later(world.customs, delivery, wrong_route, "boom")
        except Exception as exc:
            outcomes.append(exc)
            settled.append(delivery.settled)
            await delivery.reject(requeue=False)  # stop the loop: dead-letter it for this test

    await world.hub.publish(_document())
    subscription = await world.customs.consume("agency.customs.inbox", fails, prefetch=1)
    await _wait_for(lambda: bool(outcomes))
    await subscription.cancel()
    assert settled == [False]
    assert "nsw.retry.nowhere" in str(outcomes[0])
