"""One contract, two transports: every test runs on the in-memory broker and on RabbitMQ 3.10.

The RabbitMQ leg needs the broker (skips locally without it, fails under CI=true); each test gets its own
vhost. What the hub relies on is here: confirms, returns, redelivery, delivery limit then dead-letter,
access refusal, validated user_id, TTL wait queues that dead-letter back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from singlewindow.platform.errors import (
    AccessDenied,
    ConfigurationError,
    InvalidInput,
    PayloadTooLarge,
    PublishRejected,
    Unauthenticated,
    Unroutable,
)
from singlewindow.platform.transport import Delivery, OutgoingMessage, Transport

pytestmark = pytest.mark.integration

QUORUM = {"x-queue-type": "quorum"}


def message(exchange: str, key: str, n: int = 0, **extra: Any) -> OutgoingMessage:
    return OutgoingMessage(exchange, key, f"body-{n}".encode(), message_id=f"m-{n}", **extra)


class Collector:
    """A handler that records deliveries and settles them with ``settle`` (ack by default)."""

    def __init__(self, settle: Callable[[Delivery], Awaitable[None]] | None = None) -> None:
        self.deliveries: list[Delivery] = []
        self._settle = settle
        self._changed = asyncio.Event()

    async def __call__(self, delivery: Delivery) -> None:
        self.deliveries.append(delivery)
        self._changed.set()
        if self._settle is None:
            await delivery.ack()
        else:
            await self._settle(delivery)

    async def wait_for(self, count: int, within: float = 15.0) -> list[Delivery]:
        async with asyncio.timeout(within):
            while len(self.deliveries) < count:
                self._changed.clear()
                await self._changed.wait()
        return self.deliveries


async def direct_queue(harness: Any, exchange: str, queue: str, arguments: dict[str, Any] | None = None) -> None:
    await harness.declare_exchange(exchange, "direct")
    await harness.declare_queue(queue, arguments if arguments is not None else QUORUM)
    await harness.bind(exchange, queue, queue)


async def eventually(check: Callable[[], Awaitable[bool]], attempts: int = 200) -> None:
    """Poll a broker-side condition (no event to wait on), every 50 ms."""
    for _ in range(attempts):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"condition still false after {attempts} polls")


class TestTransportContract:
    async def test_publishes_are_confirmed_pipelined_and_consumed_with_their_properties(self, harness: Any) -> None:
        await direct_queue(harness, "nsw.intake", "intake")
        transport: Transport = await harness.open()
        stamp = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
        messages = [
            message(
                "nsw.intake",
                "intake",
                n,
                correlation_id="sub-1",
                type="customs-declaration",
                content_type="application/vnd.nsw+avro",
                headers={"schema_version": 3, "agency": "customs"},
                timestamp=stamp,
                user_id="guest",
            )
            for n in range(200)
        ]
        await asyncio.gather(*(transport.publish(m) for m in messages))
        assert (await transport.declare_passive("intake")).message_count == 200

        collector = Collector()
        subscription = await transport.consume("intake", collector, prefetch=20)
        deliveries = await collector.wait_for(200)
        first = deliveries[0]
        assert sorted(d.message_id or "" for d in deliveries) == sorted(m.message_id or "" for m in messages)
        assert (first.correlation_id, first.type, first.content_type) == (
            "sub-1",
            "customs-declaration",
            "application/vnd.nsw+avro",
        )
        assert first.headers["agency"] == "customs"
        assert first.headers["schema_version"] == 3
        assert (first.user_id, first.timestamp, first.queue) == ("guest", stamp, "intake")
        assert (first.exchange, first.routing_key, first.redelivered, first.delivery_count) == (
            "nsw.intake",
            "intake",
            False,
            0,
        )
        await subscription.cancel()
        await eventually(lambda: _count(transport, "intake", 0))

    async def test_pause_stops_deliveries_keeps_held_ones_settleable_and_resume_consumes_again(
        self, harness: Any
    ) -> None:
        await direct_queue(harness, "nsw.agency", "inbox")
        transport: Transport = await harness.open()
        release = asyncio.Event()

        async def hold(delivery: Delivery) -> None:
            await release.wait()
            await delivery.nack(requeue=True)

        collector = Collector(hold)
        subscription = await transport.consume("inbox", collector, prefetch=2)
        await asyncio.gather(*(transport.publish(message("nsw.agency", "inbox", n)) for n in range(5)))
        await collector.wait_for(2)
        await subscription.pause()
        await subscription.pause()  # idempotent
        release.set()  # given back on the still-open channel: they wait in the queue, not in our hands
        await eventually(lambda: _count(transport, "inbox", 5))
        await eventually(lambda: _consumers(transport, "inbox", 0))
        await asyncio.sleep(0.2)
        assert len(collector.deliveries) == 2
        collector._settle = None  # from now on: ack
        await subscription.resume()
        await subscription.resume()  # idempotent
        await collector.wait_for(7)
        assert sorted({d.message_id or "" for d in collector.deliveries}) == [f"m-{n}" for n in range(5)]
        await eventually(lambda: _count(transport, "inbox", 0))
        assert (await transport.declare_passive("inbox")).consumer_count == 1
        await subscription.cancel()
        await subscription.resume()  # no-op after cancel
        await eventually(lambda: _consumers(transport, "inbox", 0))

    async def test_unroutable_mandatory_publish_is_returned_to_its_caller_only(self, harness: Any) -> None:
        await direct_queue(harness, "nsw.agency", "agency.customs.inbox")
        transport: Transport = await harness.open()
        outcomes = await asyncio.gather(
            transport.publish(message("nsw.agency", "agency.customs.inbox", 1)),
            transport.publish(message("nsw.agency", "agency.nobody.inbox", 2)),
            transport.publish(message("nsw.agency", "agency.customs.inbox", 3)),
            return_exceptions=True,
        )
        assert outcomes[0] is None and outcomes[2] is None
        assert isinstance(outcomes[1], Unroutable)
        not_mandatory = message("nsw.agency", "agency.nobody.inbox", 4, mandatory=False)
        await transport.publish(not_mandatory)
        assert (await transport.declare_passive("agency.customs.inbox")).message_count == 2

    async def test_consumer_death_before_ack_redelivers_flagged(self, harness: Any) -> None:
        await direct_queue(harness, "nsw.intake", "intake")
        publisher: Transport = await harness.open()
        await publisher.publish(message("nsw.intake", "intake", 7))

        held = asyncio.Event()

        async def hold_forever(delivery: Delivery) -> None:
            held.set()
            await asyncio.Event().wait()

        doomed: Transport = await harness.open()
        await doomed.consume("intake", hold_forever, prefetch=5)
        await asyncio.wait_for(held.wait(), 10)
        await doomed.close()

        collector = Collector()
        await publisher.consume("intake", collector, prefetch=5)
        (again,) = await collector.wait_for(1)
        assert again.message_id == "m-7"
        assert again.redelivered is True
        assert again.delivery_count == 1
        assert again.headers["x-delivery-count"] == 1

    async def test_delivery_limit_then_dead_letter_with_reason(self, harness: Any) -> None:
        policy = {
            "delivery-limit": 2,
            "dead-letter-exchange": "agency.vet.dlx",
            "dead-letter-strategy": "at-least-once",
            "overflow": "reject-publish",
        }
        # Policies first (as `nsw topology declare` does): a queue picks its policy up when declared.
        await harness.set_policy("agency-inboxes", r"^agency\..*\.inbox$", policy, priority=10)
        await harness.set_policy("catch-all", ".*", {"delivery-limit": 50}, priority=0)
        await direct_queue(harness, "nsw.agency", "agency.vet.inbox")
        await harness.declare_exchange("agency.vet.dlx", "fanout")
        await harness.declare_queue("agency.vet.dlq", QUORUM)
        await harness.bind("agency.vet.dlx", "agency.vet.dlq", "")
        transport: Transport = await harness.open()
        await transport.publish(message("nsw.agency", "agency.vet.inbox", 1))
        await transport.publish(message("nsw.agency", "agency.vet.inbox", 2))

        async def poison_first(delivery: Delivery) -> None:
            if delivery.message_id == "m-1":
                await delivery.nack(requeue=True)
            else:
                await delivery.reject(requeue=False)

        inbox = Collector(poison_first)
        await transport.consume("agency.vet.inbox", inbox, prefetch=1)
        dead = Collector()
        await transport.consume("agency.vet.dlq", dead, prefetch=10)
        letters = {d.message_id: d for d in await dead.wait_for(2)}

        attempts = [d.delivery_count for d in inbox.deliveries if d.message_id == "m-1"]
        assert attempts == [0, 1, 2]
        poison, rejected = letters["m-1"], letters["m-2"]
        assert poison.headers["x-first-death-reason"] == "delivery_limit"
        assert poison.headers["x-first-death-queue"] == "agency.vet.inbox"
        assert poison.headers["x-death"][0]["reason"] == "delivery_limit"
        assert poison.headers["x-death"][0]["queue"] == "agency.vet.inbox"
        assert rejected.headers["x-first-death-reason"] == "rejected"
        assert poison.body == b"body-1"

    async def test_least_privilege_user_is_refused_elsewhere(self, harness: Any) -> None:
        await direct_queue(harness, "nsw.agency", "agency.customs.inbox")
        await direct_queue(harness, "nsw.agency", "agency.vet.inbox")
        await harness.declare_exchange("nsw.decisions", "direct")
        await harness.declare_queue("decisions", QUORUM)
        await harness.bind("nsw.decisions", "decisions", "decisions")
        user = harness.unique("agency-customs")
        await harness.add_user(user, "s3cret", "^$", r"^nsw\.decisions$", r"^agency\.customs\.inbox$")
        admin: Transport = await harness.open()
        await admin.publish(message("nsw.agency", "agency.customs.inbox", 1))
        await admin.publish(message("nsw.agency", "agency.vet.inbox", 2))

        agency: Transport = await harness.open(user, "s3cret")
        with pytest.raises(AccessDenied):
            await agency.consume("agency.vet.inbox", Collector(), prefetch=1)
        with pytest.raises(AccessDenied):
            await agency.consume_private("nsw.decisions", "#", Collector(), prefetch=1)
        with pytest.raises(AccessDenied):
            await agency.publish(message("nsw.agency", "agency.vet.inbox", 3))

        mine = Collector()
        await agency.consume("agency.customs.inbox", mine, prefetch=1)
        assert [d.message_id for d in await mine.wait_for(1)] == ["m-1"]
        await agency.publish(message("nsw.decisions", "decisions", 4, user_id=user))
        assert (await agency.declare_passive("agency.vet.inbox")).message_count == 1
        await eventually(lambda: _count(admin, "decisions", 1))

    async def test_bad_credentials_are_refused_at_connect(self, harness: Any) -> None:
        user = harness.unique("agency-phyto")
        await harness.add_user(user, "right", "^$", "^$", "^$")
        with pytest.raises(Unauthenticated):
            await harness.open(user, "wrong")
        with pytest.raises(Unauthenticated):
            await harness.open(harness.unique("nobody"), "pw")
        assert isinstance(await harness.open(user, "right"), Transport)

    async def test_forged_user_id_is_refused_and_the_transport_goes_on(self, harness: Any) -> None:
        await direct_queue(harness, "nsw.decisions", "decisions")
        user = harness.unique("agency-vet")
        await harness.add_user(user, "pw", "^$", r"^nsw\.decisions$", "^$")
        agency: Transport = await harness.open(user, "pw")
        with pytest.raises(AccessDenied):
            await agency.publish(message("nsw.decisions", "decisions", 1, user_id="agency-customs"))
        await agency.publish(message("nsw.decisions", "decisions", 2, user_id=user))
        admin: Transport = await harness.open()
        collector = Collector()
        await admin.consume("decisions", collector, prefetch=5)
        (only,) = await collector.wait_for(1)
        assert (only.message_id, only.user_id) == ("m-2", user)

    async def test_a_message_the_broker_can_never_take_fails_at_once_and_the_link_stays(self, harness: Any) -> None:
        """Issue 11 follow-up: a 200 kB header used to close the connection (501) and be resent into it."""
        await direct_queue(harness, "nsw.intake", "intake")
        transport: Transport = await harness.open()
        if harness.kind == "rabbitmq":
            await harness.wait_for_connections(1)
            connections = await harness.connection_names()
        release = asyncio.Event()

        async def hold_first(delivery: Delivery) -> None:
            if delivery.message_id == "m-1":
                await release.wait()  # held unsettled across the refusals: a dropped link would redeliver it
            await delivery.ack()

        collector = Collector(hold_first)
        await transport.consume("intake", collector, prefetch=5)
        await transport.publish(message("nsw.intake", "intake", 1))
        await collector.wait_for(1)

        with pytest.raises(PayloadTooLarge) as too_large:
            await transport.publish(message("nsw.intake", "intake", 2, headers={"note": "h" * 200_000}))
        assert "frame_max" in str(too_large.value)
        with pytest.raises(InvalidInput):
            await transport.publish(message("nsw.intake", "intake", 3, headers={"CC": "agency.customs.inbox"}))
        with pytest.raises(InvalidInput):
            await transport.publish(message("nsw.intake", "intake", 4, expiration_ms=2**32))
        with pytest.raises(InvalidInput):
            await transport.publish(message("nsw.intake", "intake", 5, headers={"k" * 256: 1}))

        await transport.publish(message("nsw.intake", "intake", 6))  # confirmed on the same link
        release.set()
        deliveries = await collector.wait_for(2)
        assert [(d.message_id, d.redelivered) for d in deliveries] == [("m-1", False), ("m-6", False)]
        await eventually(lambda: _count(transport, "intake", 0))
        if harness.kind == "rabbitmq":
            assert getattr(transport, "reconnects", None) == 0
            assert await harness.connection_names() == connections

    async def test_ttl_wait_queue_dead_letters_back_to_the_inbox(self, harness: Any) -> None:
        await direct_queue(harness, "nsw.agency", "agency.bg.inbox")
        await harness.declare_exchange("agency.bg.retry", "direct")
        wait_args = {
            **QUORUM,
            "x-message-ttl": 300,
            "x-dead-letter-exchange": "nsw.agency",
            "x-dead-letter-routing-key": "agency.bg.inbox",
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        }
        await harness.declare_queue("agency.bg.wait.1", wait_args)
        await harness.bind("agency.bg.retry", "agency.bg.wait.1", "tier-1")
        transport: Transport = await harness.open()
        collector = Collector()
        await transport.consume("agency.bg.inbox", collector, prefetch=5)
        started = asyncio.get_running_loop().time()
        await transport.publish(message("agency.bg.retry", "tier-1", 9, headers={"attempt": 1}))
        (back,) = await collector.wait_for(1)
        assert asyncio.get_running_loop().time() - started >= 0.25
        assert back.message_id == "m-9"
        assert back.headers["attempt"] == 1
        assert back.headers["x-first-death-reason"] == "expired"
        assert back.headers["x-death"][0]["queue"] == "agency.bg.wait.1"
        assert back.routing_key == "agency.bg.inbox"

    async def test_full_queue_with_reject_publish_nacks(self, harness: Any) -> None:
        await harness.set_policy("small", "^intake$", {"max-length": 2, "overflow": "reject-publish"})
        await direct_queue(harness, "nsw.intake", "intake")
        transport: Transport = await harness.open()
        outcomes = []
        for n in range(5):
            try:
                await transport.publish(message("nsw.intake", "intake", n))
                outcomes.append("confirmed")
            except PublishRejected:
                outcomes.append("rejected")
        # A quorum queue rejects once it is over the limit, so it takes max-length + 1.
        assert outcomes == ["confirmed"] * 3 + ["rejected"] * 2
        assert (await transport.declare_passive("intake")).message_count == 3

    async def test_missing_topology_is_a_configuration_error_and_recoverable(self, harness: Any) -> None:
        await direct_queue(harness, "nsw.intake", "intake")
        transport: Transport = await harness.open()
        with pytest.raises(ConfigurationError):
            await transport.declare_passive("no-such-queue")
        with pytest.raises(ConfigurationError):
            await transport.publish(message("no-such-exchange", "x", 1))
        with pytest.raises(ConfigurationError):
            await transport.consume("no-such-queue", Collector(), prefetch=1)
        await transport.publish(message("nsw.intake", "intake", 2))
        assert (await transport.declare_passive("intake")).message_count == 1

    async def test_prefetch_bounds_unsettled_deliveries(self, harness: Any) -> None:
        await direct_queue(harness, "nsw.intake", "intake")
        transport: Transport = await harness.open()
        await asyncio.gather(*(transport.publish(message("nsw.intake", "intake", n)) for n in range(10)))
        release = asyncio.Event()

        async def slow(delivery: Delivery) -> None:
            await release.wait()
            await delivery.ack()

        collector = Collector(slow)
        await transport.consume("intake", collector, prefetch=3)
        await collector.wait_for(3)
        await asyncio.sleep(0.3)
        assert len(collector.deliveries) == 3
        release.set()
        await collector.wait_for(10)

    async def test_private_queue_receives_what_its_binding_matches(self, harness: Any) -> None:
        await harness.declare_exchange("nsw.status", "topic")
        transport: Transport = await harness.open()
        collector = Collector()
        subscription = await transport.consume_private("nsw.status", "status.*", collector, prefetch=10)
        assert subscription.queue.startswith("amq.gen-")
        await transport.publish(message("nsw.status", "status.cleared", 1))
        await transport.publish(message("nsw.status", "other.thing", 2, mandatory=False))
        (only,) = await collector.wait_for(1)
        assert only.message_id == "m-1"
        await subscription.cancel()


async def _count(transport: Transport, queue: str, expected: int) -> bool:
    return (await transport.declare_passive(queue)).message_count == expected


async def _consumers(transport: Transport, queue: str, expected: int) -> bool:
    """A quorum queue counts a cancelled consumer until the deliveries it holds are settled."""
    return (await transport.declare_passive(queue)).consumer_count == expected
