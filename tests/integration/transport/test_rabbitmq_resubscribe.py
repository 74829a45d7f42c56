"""The consumer comes back after every forced close of the vhost's connections (issue 12).

The broker (management API) closes every connection of the test's vhost 50 times in a row while the
consumer holds unacknowledged deliveries. Strikes vary: a plain close; a close while this process's event
loop stands still (as the fault harness's SIGSTOP does, so the close, the deliveries before it and every due
timer are handled in one burst); a circuit-breaker pause racing the re-subscribe; a pause before the strike
and a resume during the reconnect. After each one the test proves the consumer is back: the broker counts
exactly one consumer on the queue, and a probe message published afterwards is consumed. Every tenth strike
the management API must show it too (its statistics lag a few seconds).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from urllib.parse import quote

import httpx
import pytest

from singlewindow.platform.errors import NswError
from singlewindow.platform.transport import Delivery, OutgoingMessage, RabbitMqTransport, Transport
from singlewindow.platform.transport.rabbitmq import RabbitSubscription

from .conftest import MANAGEMENT_URL, RabbitHarness

pytestmark = pytest.mark.integration

QUORUM = {"x-queue-type": "quorum", "x-delivery-limit": 1000}
STRIKES = 50


async def until(check: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    try:
        async with asyncio.timeout(seconds):
            while not check():  # noqa: ASYNC110 - polls state that pika callbacks change
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"not within {seconds} s: {what}") from None


async def inbox(harness: RabbitHarness) -> None:
    await harness.declare_exchange("nsw.agency", "direct")
    await harness.declare_queue("inbox", QUORUM)
    await harness.bind("nsw.agency", "inbox", "inbox")


async def consumers_settle(transport: Transport, expected: int) -> None:
    """The broker's live count reaches ``expected`` and stays there a moment (no late consumer appears)."""
    deadline = asyncio.get_running_loop().time() + 30
    while (count := (await transport.declare_passive("inbox")).consumer_count) != expected:
        assert asyncio.get_running_loop().time() < deadline, f"{count} consumers, expected {expected}"
        await asyncio.sleep(0.05)
    for _ in range(5):
        await asyncio.sleep(0.1)
        assert (await transport.declare_passive("inbox")).consumer_count == expected


async def managed_consumers(harness: RabbitHarness, expected: int) -> None:
    """The management API's view, which follows the broker's statistics emission (every few seconds)."""
    deadline = asyncio.get_running_loop().time() + 30
    while (count := await harness.queue_consumers("inbox")) != expected:
        assert asyncio.get_running_loop().time() < deadline, f"management API shows {count} consumers"
        await asyncio.sleep(0.2)


async def fresh_connections(harness: RabbitHarness, closed: set[str], count: int) -> None:
    """Wait until the management API lists the transports' new connections (it lists one only after its
    first statistics emission), so the next strike closes them and not the ones already gone."""
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        names = set(await harness.connection_names())
        if len(names) == count and not names & closed:
            return
        assert asyncio.get_running_loop().time() < deadline, f"connections listed: {names}"
        await asyncio.sleep(0.1)


async def close_frozen(harness: RabbitHarness) -> None:
    """Close the connections while this process's event loop stands still, as under SIGSTOP."""
    names = await harness.connection_names()
    with httpx.Client(base_url=MANAGEMENT_URL, auth=("guest", "guest"), timeout=30) as http:
        for name in names:  # blocking on purpose: nothing in this process runs meanwhile
            http.delete(f"/api/connections/{quote(name, safe='')}", headers={"X-Reason": "fault test"})  # noqa: ASYNC212
    time.sleep(0.5)  # noqa: ASYNC251 - the frames and the FIN arrive while the loop stands still


async def new_link(transport: RabbitMqTransport, old: object) -> None:
    """Return the moment ``transport`` has its new link: its consumers are being re-subscribed right now."""
    async with asyncio.timeout(30):
        while transport.link is old or transport.link is None:  # noqa: ASYNC110 - set by the supervisor task
            await asyncio.sleep(0)


async def keep_ahead(publisher: Transport, stop: asyncio.Event, seen: set[str]) -> None:
    """Keep a few documents ahead of the consumer, so it always holds some unacknowledged and a probe
    published later is not queued behind a backlog."""
    n = 0
    while not stop.is_set():
        if n - len(seen) >= 10:
            await asyncio.sleep(0.01)
            continue
        n += 1
        try:
            await publisher.publish(OutgoingMessage("nsw.agency", "inbox", b"x", message_id=f"load-{n}"))
        except NswError:
            await asyncio.sleep(0.05)


async def test_the_consumer_is_back_after_fifty_forced_closes(rabbit_harness: RabbitHarness) -> None:
    await inbox(rabbit_harness)
    publisher = await rabbit_harness.open()
    consumer = await rabbit_harness.open()
    assert isinstance(publisher, RabbitMqTransport) and isinstance(consumer, RabbitMqTransport)
    probes: set[str] = set()
    seen: set[str] = set()
    in_hand = 0
    rng = random.Random(12)

    async def slow(delivery: Delivery) -> None:
        nonlocal in_hand
        message_id = delivery.message_id or ""
        if message_id.startswith("probe-"):
            probes.add(message_id)
            await delivery.ack()
            return
        seen.add(message_id)
        in_hand += 1
        try:
            await asyncio.sleep(rng.uniform(0.05, 0.4))
            await delivery.ack()
        finally:
            in_hand -= 1

    subscription = await consumer.consume("inbox", slow, prefetch=5)
    assert isinstance(subscription, RabbitSubscription)
    stop = asyncio.Event()
    load = asyncio.create_task(keep_ahead(publisher, stop, seen))
    closed: set[str] = set()
    try:
        for strike in range(STRIKES):
            await fresh_connections(rabbit_harness, closed, 2)
            await until(lambda: in_hand > 0, "deliveries held")
            before, old = consumer.reconnects, consumer.link
            closed = set(await rabbit_harness.connection_names())
            mode = strike % 4
            if mode == 3:
                await subscription.pause()
            if mode == 1:
                await close_frozen(rabbit_harness)
            else:
                await rabbit_harness.close_vhost_connections()
            if mode == 2:  # the breaker pauses while the reconnect re-subscribes; paused stays paused
                await new_link(consumer, old)
                await subscription.pause()
                await until(lambda: consumer.reconnects > before, f"reconnect after strike {strike}")  # noqa: B023
                await consumers_settle(publisher, 0)
                await asyncio.sleep(rng.uniform(0.0, 0.3))
                await subscription.resume()
            if mode == 3:  # resumed while the reconnect is under way
                await new_link(consumer, old)
                await subscription.resume()
            await until(lambda: consumer.reconnects > before, f"reconnect after strike {strike}")  # noqa: B023
            probe = f"probe-{strike}"
            await publisher.publish(OutgoingMessage("nsw.agency", "inbox", b"p", message_id=probe))
            await until(lambda: probe in probes, f"{probe} consumed after strike {strike} (mode {mode})")  # noqa: B023
            await consumers_settle(publisher, 1)
            if strike % 10 == 9:
                await managed_consumers(rabbit_harness, 1)
    finally:
        stop.set()
        await load
    print(f"\nstrikes={STRIKES} reconnects={consumer.reconnects} redelivered={subscription.redelivered}")


async def test_a_cancel_racing_the_resubscribe_leaves_no_consumer(rabbit_harness: RabbitHarness) -> None:
    """Before the fix the reconnect's re-subscribe went on after ``cancel`` and left a live consumer behind
    that no bookkeeping knew of (and that the next reconnect did not restore)."""
    await inbox(rabbit_harness)
    observer = await rabbit_harness.open()
    consumer = await rabbit_harness.open()
    assert isinstance(consumer, RabbitMqTransport)
    got: list[str] = []

    async def take(delivery: Delivery) -> None:
        got.append(delivery.message_id or "")
        await delivery.ack()

    async def drop(delivery: Delivery) -> None:
        await delivery.ack()

    closed: set[str] = set()
    for attempt in range(5):
        subscription = await consumer.consume("inbox", take, prefetch=5)
        await fresh_connections(rabbit_harness, closed, 2)
        old = consumer.link
        closed = set(await rabbit_harness.connection_names())
        await rabbit_harness.close_vhost_connections()
        await new_link(consumer, old)
        await subscription.cancel()
        await consumers_settle(observer, 0)
        await observer.publish(OutgoingMessage("nsw.agency", "inbox", b"p", message_id=f"after-{attempt}"))
        await asyncio.sleep(0.3)
        assert got == [], f"a cancelled subscription consumed {got}"
        drain = await observer.consume("inbox", drop, prefetch=5)
        await consumers_settle(observer, 1)
        await drain.cancel()
