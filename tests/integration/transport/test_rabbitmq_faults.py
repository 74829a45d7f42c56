"""RabbitMQ-only fault tests: connections closed under load, consumers killed mid-batch, reconnecting
least-privilege users. Faults strike only the test's own vhost (DELETE /api/connections/{name} for the
vhost's connections), never the whole shared broker."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from singlewindow.platform.transport import Delivery, OutgoingMessage, RabbitMqTransport
from singlewindow.platform.transport.rabbitmq import RabbitSubscription

from .conftest import RabbitHarness

pytestmark = pytest.mark.integration

QUORUM = {"x-queue-type": "quorum"}


async def inbox(harness: RabbitHarness, name: str = "inbox") -> None:
    await harness.declare_exchange("nsw.agency", "direct")
    await harness.declare_queue(name, QUORUM)
    await harness.bind("nsw.agency", name, name)


def message(n: int, key: str = "inbox") -> OutgoingMessage:
    return OutgoingMessage("nsw.agency", key, b"x" * 256, message_id=f"m-{n}")


async def until(check: Any, polls: int = 600) -> None:
    for _ in range(polls):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached within 30 s")


async def test_closing_every_vhost_connection_under_load_loses_no_confirmed_message(
    rabbit_harness: RabbitHarness,
) -> None:
    await inbox(rabbit_harness)
    publisher = await rabbit_harness.open()
    consumer = await rabbit_harness.open()
    assert isinstance(publisher, RabbitMqTransport) and isinstance(consumer, RabbitMqTransport)
    consumed: dict[str, int] = {}

    async def record(delivery: Delivery) -> None:
        consumed[delivery.message_id or ""] = consumed.get(delivery.message_id or "", 0) + 1
        await delivery.ack()

    subscription = await consumer.consume("inbox", record, prefetch=100)
    assert isinstance(subscription, RabbitSubscription)
    await rabbit_harness.wait_for_connections(2)

    total = 4000

    async def strike() -> int:
        for _ in range(10_000):
            if publisher.stats.confirmed >= 300:
                break
            await asyncio.sleep(0.002)
        return await rabbit_harness.close_vhost_connections()

    fault = asyncio.create_task(strike())
    outcomes = await asyncio.gather(*(publisher.publish(message(n)) for n in range(total)), return_exceptions=True)
    assert await fault == 2
    confirmed = {f"m-{n}" for n, outcome in enumerate(outcomes) if outcome is None}
    failures = [outcome for outcome in outcomes if outcome is not None]
    assert failures == []
    await until(lambda: confirmed <= consumed.keys())

    lost = confirmed - consumed.keys()
    duplicates = sum(count - 1 for count in consumed.values())
    assert lost == set()
    assert publisher.reconnects >= 1 and consumer.reconnects >= 1
    assert publisher.stats.republished + subscription.redelivered > 0, "the fault did not strike"
    print(
        f"\nconfirmed={len(confirmed)} consumed={len(consumed)} lost={len(lost)} duplicates={duplicates} "
        f"republished={publisher.stats.republished} redelivered={subscription.redelivered}"
    )


async def test_consumer_killed_mid_batch_loses_nothing(rabbit_harness: RabbitHarness) -> None:
    await inbox(rabbit_harness)
    admin = await rabbit_harness.open()
    await asyncio.gather(*(admin.publish(message(n)) for n in range(100)))
    acked: set[str] = set()
    in_hand: set[str] = set()
    thirty = asyncio.Event()

    async def work_then_hang(delivery: Delivery) -> None:
        if len(acked) < 30:
            await delivery.ack()
            acked.add(delivery.message_id or "")
            if len(acked) == 30:
                thirty.set()
            return
        in_hand.add(delivery.message_id or "")
        await asyncio.Event().wait()

    doomed = await rabbit_harness.open()
    await doomed.consume("inbox", work_then_hang, prefetch=20)
    await asyncio.wait_for(thirty.wait(), 10)
    await until(lambda: len(in_hand) == 20)
    await doomed.close()

    rest: dict[str, Delivery] = {}

    async def finish(delivery: Delivery) -> None:
        rest[delivery.message_id or ""] = delivery
        await delivery.ack()

    await admin.consume("inbox", finish, prefetch=50)
    await until(lambda: len(rest) == 70)
    assert acked | rest.keys() == {f"m-{n}" for n in range(100)}
    assert not acked & rest.keys()
    assert {m for m, d in rest.items() if d.redelivered} == in_hand
    assert all(rest[m].delivery_count == 1 for m in in_hand)


async def test_settlement_from_a_dead_channel_is_dropped_and_the_message_redelivered(
    rabbit_harness: RabbitHarness,
) -> None:
    await inbox(rabbit_harness)
    transport = await rabbit_harness.open()
    assert isinstance(transport, RabbitMqTransport)
    await transport.publish(message(1))
    first = asyncio.Event()
    release = asyncio.Event()
    seen: list[Delivery] = []

    async def slow(delivery: Delivery) -> None:
        seen.append(delivery)
        if len(seen) == 1:
            first.set()
            await release.wait()
        await delivery.ack()

    subscription = await transport.consume("inbox", slow, prefetch=1)
    assert isinstance(subscription, RabbitSubscription)
    await asyncio.wait_for(first.wait(), 10)
    await rabbit_harness.wait_for_connections(1)
    await rabbit_harness.close_vhost_connections()
    await until(lambda: transport.reconnects >= 1)
    release.set()
    await until(lambda: len(seen) == 2)
    await until(lambda: subscription.dropped_settlements == 1)
    assert seen[1].redelivered and seen[1].message_id == "m-1"
    await subscription.cancel()  # closes the channel: an ack that never reached the broker would requeue
    assert (await transport.declare_passive("inbox")).message_count == 0


async def test_least_privilege_user_reconnects_and_keeps_consuming(rabbit_harness: RabbitHarness) -> None:
    await inbox(rabbit_harness, "agency.customs.inbox")
    user = rabbit_harness.unique("agency-customs")
    await rabbit_harness.add_user(user, "pw", "^$", "^$", r"^agency\.customs\.inbox$")
    admin = await rabbit_harness.open()
    agency = await rabbit_harness.open(user, "pw")
    assert isinstance(agency, RabbitMqTransport)
    got: list[str] = []

    async def take(delivery: Delivery) -> None:
        got.append(delivery.message_id or "")
        await delivery.ack()

    await agency.consume("agency.customs.inbox", take, prefetch=10)
    await asyncio.gather(*(admin.publish(message(n, "agency.customs.inbox")) for n in range(5)))
    await until(lambda: len(got) == 5)
    await rabbit_harness.wait_for_connections(2)
    assert await rabbit_harness.close_vhost_connections() == 2
    await until(lambda: agency.reconnects >= 1)
    await asyncio.gather(*(admin.publish(message(n, "agency.customs.inbox")) for n in range(5, 10)))
    await until(lambda: set(got) >= {f"m-{n}" for n in range(10)})
