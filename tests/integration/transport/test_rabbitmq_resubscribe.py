"""The consumer comes back after every forced close of the vhost's connections (issue 12).

The broker (management API) closes every connection of the test's vhost 50 times in a row while the
consumer holds unacknowledged deliveries. Strikes vary: a plain close; a close while this process's event
loop stands still (as the fault harness's SIGSTOP does, so the close, the deliveries before it and every due
timer are handled in one burst); a circuit-breaker pause racing the re-subscribe; a pause before the strike
and a resume during the reconnect. After each one the test proves the consumer is back: the broker counts
exactly one consumer on the queue, and a probe message published afterwards is consumed. All along, a watch
polls the broker's live consumer count and fails the test if it ever sees two (a re-subscribe that raced
and left a second consumer); while paused it must read none. After the last strike the management API must
show the one consumer too (its statistics lag a few seconds). At the end every document the broker confirmed
has reached the consumer and the queue is empty: nothing was lost across the fifty closes.

Connections are found and closed through the broker's connection tracking (``disable_stats``), not the
statistics database that lists a new connection only after up to 5 s: that wait was 4 of the 4.5 minutes
this test used to take.
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


class ConsumerWatch:
    """Reads the broker's live consumer count on ``inbox`` every few milliseconds for the whole test, so a
    second consumer is caught whenever it shows up, not only inside a sampling window after each strike."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self.samples = 0
        self.most = 0
        self.latest = -1
        self.stop = asyncio.Event()

    async def run(self) -> None:
        while not self.stop.is_set():
            try:
                count = (await self.transport.declare_passive("inbox")).consumer_count
            except NswError:  # the watch's own connection is struck too; it reads again once back
                await asyncio.sleep(0.02)
                continue
            self.samples += 1
            self.latest = count
            self.most = max(self.most, count)
            await asyncio.sleep(0.02)

    async def reads(self, expected: int, hold: float = 0.0) -> None:
        """A fresh reading equals ``expected``, and every reading for ``hold`` seconds after it too."""
        deadline = asyncio.get_running_loop().time() + 30
        while True:
            taken = self.samples
            await until(lambda: self.samples > taken, "a fresh consumer count")  # noqa: B023
            assert self.most <= 1, f"the broker counted {self.most} consumers on the queue"
            if self.latest == expected:
                break
            assert asyncio.get_running_loop().time() < deadline, f"{self.latest} consumers, expected {expected}"
        end = asyncio.get_running_loop().time() + hold
        while asyncio.get_running_loop().time() < end:
            taken = self.samples
            await until(lambda: self.samples > taken, "a fresh consumer count")  # noqa: B023
            assert self.latest == expected, f"{self.latest} consumers within {hold} s, expected {expected}"


async def managed_consumers(harness: RabbitHarness, expected: int) -> None:
    """The management API's view, which follows the broker's statistics emission (every few seconds)."""
    deadline = asyncio.get_running_loop().time() + 30
    while (count := await harness.queue_consumers("inbox")) != expected:
        assert asyncio.get_running_loop().time() < deadline, f"management API shows {count} consumers"
        await asyncio.sleep(0.2)


async def fresh_connections(harness: RabbitHarness, closed: set[str], count: int) -> None:
    """Wait until the broker tracks the transports' new connections and no longer the closed ones, so the
    next strike closes them and not the ones already gone."""
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
            response = http.delete(  # noqa: ASYNC212
                f"/api/connections/{quote(name, safe='')}",
                params={"disable_stats": "true"},  # see RabbitHarness.close_connection
                headers={"X-Reason": "fault test"},
            )
            assert response.status_code in (204, 404), response.text
    time.sleep(0.3)  # noqa: ASYNC251 - the frames and the FIN arrive while the loop stands still


async def new_link(transport: RabbitMqTransport, old: object) -> None:
    """Return the moment ``transport`` has its new link: its consumers are being re-subscribed right now."""
    async with asyncio.timeout(30):
        while transport.link is old or transport.link is None:  # noqa: ASYNC110 - set by the supervisor task
            await asyncio.sleep(0)


async def keep_ahead(publisher: Transport, stop: asyncio.Event, acked: set[str], confirmed: set[str]) -> None:
    """Keep a few unacknowledged documents ahead of the consumer (one more than its prefetch), so it always
    holds some and a probe published later is not queued behind a backlog. ``confirmed`` collects what the
    broker confirmed: each of those must reach the consumer."""
    n = 0
    while not stop.is_set():
        if n - len(acked) >= 6:
            await asyncio.sleep(0.01)
            continue
        n += 1
        message_id = f"load-{n}"
        try:
            await publisher.publish(OutgoingMessage("nsw.agency", "inbox", b"x", message_id=message_id))
        except NswError:
            await asyncio.sleep(0.05)
        else:
            confirmed.add(message_id)


async def test_the_consumer_is_back_after_fifty_forced_closes(rabbit_harness: RabbitHarness) -> None:
    await inbox(rabbit_harness)
    publisher = await rabbit_harness.open()
    consumer = await rabbit_harness.open()
    assert isinstance(publisher, RabbitMqTransport) and isinstance(consumer, RabbitMqTransport)
    probes: set[str] = set()
    seen: set[str] = set()
    acked: set[str] = set()
    confirmed: set[str] = set()
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
            await asyncio.sleep(rng.uniform(0.02, 0.15))
            await delivery.ack()
            acked.add(message_id)  # paces the load only: an ack on a struck channel is lost, the copy redelivered
        finally:
            in_hand -= 1

    subscription = await consumer.consume("inbox", slow, prefetch=5)
    assert isinstance(subscription, RabbitSubscription)
    watch = ConsumerWatch(publisher)
    watching = asyncio.create_task(watch.run())
    stop = asyncio.Event()
    load = asyncio.create_task(keep_ahead(publisher, stop, acked, confirmed))
    closed: set[str] = set()
    managed: asyncio.Task[None] | None = None
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
                assert await rabbit_harness.close_vhost_connections() == 2
            if mode == 2:  # the breaker pauses while the reconnect re-subscribes; paused stays paused
                await new_link(consumer, old)
                await subscription.pause()
                await until(lambda: consumer.reconnects > before, f"reconnect after strike {strike}")  # noqa: B023
                await watch.reads(0, hold=rng.uniform(0.2, 0.5))
                await subscription.resume()
            if mode == 3:  # resumed while the reconnect is under way
                await new_link(consumer, old)
                await subscription.resume()
            await until(lambda: consumer.reconnects > before, f"reconnect after strike {strike}")  # noqa: B023
            probe = f"probe-{strike}"
            await publisher.publish(OutgoingMessage("nsw.agency", "inbox", b"p", message_id=probe))
            await until(lambda: probe in probes, f"{probe} consumed after strike {strike} (mode {mode})")  # noqa: B023
            await watch.reads(1)
        # The management API's view follows its statistics (emitted every 5 s): checked once, while the
        # queue drains, rather than after every tenth strike, where waiting for it took 4 s a time.
        managed = asyncio.create_task(managed_consumers(rabbit_harness, 1))
        stop.set()
        await load
        await until(lambda: confirmed <= seen, f"{len(confirmed - seen)} confirmed documents never delivered")
        await until(lambda: in_hand == 0, "the last deliveries acknowledged")
        assert (await publisher.declare_passive("inbox")).message_count == 0, "documents left on the queue"
        await watch.reads(1, hold=0.5)  # and no late consumer after the last strike
        await managed
    finally:
        stop.set()
        await load
        watch.stop.set()
        await watching
        if managed is not None and not managed.done():
            managed.cancel()
    assert watch.most == 1, f"the broker counted {watch.most} consumers at once"
    print(
        f"\nstrikes={STRIKES} reconnects={consumer.reconnects} redelivered={subscription.redelivered} "
        f"confirmed={len(confirmed)} consumer counts read={watch.samples}"
    )


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
