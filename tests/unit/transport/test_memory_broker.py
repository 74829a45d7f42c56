"""In-memory broker details the contract does not cover: admin idempotency, dead-letter headers, overflow
and alternate exchanges, handler failures, settlement rules."""

from __future__ import annotations

import asyncio

import pytest

from singlewindow.platform.errors import AccessDenied, BrokerUnavailable, ConfigurationError, InvalidInput
from singlewindow.platform.settings import BrokerSettings
from singlewindow.platform.transport import (
    Delivery,
    DeliveryAlreadySettled,
    MemoryBroker,
    MemoryTransport,
    OutgoingMessage,
    connect,
    open_transport,
)

QUORUM = {"x-queue-type": "quorum"}


def broker_with_inbox(arguments: dict[str, object] | None = None) -> MemoryBroker:
    broker = MemoryBroker()
    broker.declare_exchange("/", "nsw.agency", "direct")
    broker.declare_queue("/", "inbox", arguments if arguments is not None else QUORUM)
    broker.bind("/", "nsw.agency", "inbox", "inbox")
    return broker


def msg(n: int, **extra: object) -> OutgoingMessage:
    return OutgoingMessage("nsw.agency", "inbox", f"b{n}".encode(), message_id=f"m{n}", **extra)  # type: ignore[arg-type]


def test_declares_are_idempotent_and_inequivalent_redeclares_fail() -> None:
    broker = broker_with_inbox()
    broker.declare_exchange("/", "nsw.agency", "direct")
    broker.declare_queue("/", "inbox", QUORUM)
    broker.bind("/", "nsw.agency", "inbox", "inbox")
    assert len(broker.bindings("/", "nsw.agency")) == 1
    with pytest.raises(ConfigurationError, match="inequivalent"):
        broker.declare_exchange("/", "nsw.agency", "topic")
    with pytest.raises(ConfigurationError, match="inequivalent"):
        broker.declare_queue("/", "inbox", {"x-queue-type": "classic"})
    with pytest.raises(ConfigurationError, match="reserved"):
        broker.declare_exchange("/", "amq.custom", "direct")
    with pytest.raises(ConfigurationError, match="durable"):
        broker.declare_queue("/", "transient", QUORUM, durable=False)
    with pytest.raises(ConfigurationError, match="x-queue-type"):
        broker.declare_queue("/", "stream", {"x-queue-type": "stream"})
    with pytest.raises(ConfigurationError, match="no vhost"):
        broker.declare_queue("nowhere", "q")
    with pytest.raises(ConfigurationError, match="exchange type"):
        broker.declare_exchange("/", "x", "x-delayed-message")


def test_queue_info_reports_type_and_effective_policy() -> None:
    broker = broker_with_inbox()
    broker.set_policy("/", "inboxes", "^inbox$", {"delivery-limit": 20}, priority=1)
    info = broker.queue_info("/", "inbox")
    assert (info.type, info.durable, info.policy) == ("quorum", True, "inboxes")
    assert info.effective_policy_definition == {"delivery-limit": 20}
    broker.clear_policy("/", "inboxes")
    assert broker.effective_policy("/", "inbox") is None


async def test_handler_failure_requeues_and_a_double_ack_is_refused() -> None:
    broker = broker_with_inbox()
    transport = MemoryTransport(broker)
    await transport.publish(msg(1))
    seen: list[Delivery] = []
    done = asyncio.Event()

    async def flaky(delivery: Delivery) -> None:
        seen.append(delivery)
        if len(seen) == 1:
            raise RuntimeError("agency system hiccup")
        await delivery.ack()
        with pytest.raises(DeliveryAlreadySettled):
            await delivery.ack()
        done.set()

    await transport.consume("inbox", flaky, prefetch=1)
    await asyncio.wait_for(done.wait(), 2)
    assert [(d.redelivered, d.delivery_count) for d in seen] == [(False, 0), (True, 1)]
    assert broker.queue_state("/", "inbox").message_count == 0


async def test_x_death_counts_repeat_deaths_and_cycles_are_dropped() -> None:
    broker = broker_with_inbox()
    broker.declare_exchange("/", "retry", "direct")
    wait = {**QUORUM, "x-message-ttl": 10, "x-dead-letter-exchange": "nsw.agency", "x-dead-letter-routing-key": "inbox"}
    broker.declare_queue("/", "wait", wait)
    broker.bind("/", "retry", "wait", "wait")
    transport = MemoryTransport(broker)
    first: list[Delivery] = []
    arrived = asyncio.Event()

    async def retry_twice(delivery: Delivery) -> None:
        first.append(delivery)
        if len(first) <= 2:
            again = OutgoingMessage("retry", "wait", delivery.body, message_id="m1", headers=delivery.headers)
            await transport.publish(again)
        if len(first) == 3:
            arrived.set()
        await delivery.ack()

    await transport.consume("inbox", retry_twice, prefetch=1)
    await transport.publish(OutgoingMessage("retry", "wait", b"x", message_id="m1"))
    await asyncio.wait_for(arrived.wait(), 2)
    deaths = first[-1].headers["x-death"]
    assert [(d["queue"], d["reason"], d["count"]) for d in deaths] == [("wait", "expired", 3)]
    # A queue that dead-letters into itself without a rejection is a cycle: the message is dropped.
    broker.declare_exchange("/", "loop", "direct")
    broker.declare_queue("/", "looping", {"x-message-ttl": 5, "x-dead-letter-exchange": "loop"})
    broker.bind("/", "loop", "looping", "looping")
    await transport.publish(OutgoingMessage("loop", "looping", b"x", message_id="loop"))
    await asyncio.sleep(0.05)
    assert broker.queue_state("/", "looping").message_count == 0


async def test_drop_head_overflow_dead_letters_the_oldest_as_maxlen() -> None:
    broker = broker_with_inbox({**QUORUM, "x-max-length": 2, "x-dead-letter-exchange": "dlx"})
    broker.declare_exchange("/", "dlx", "fanout")
    broker.declare_queue("/", "dlq", QUORUM)
    broker.bind("/", "dlx", "dlq", "")
    transport = MemoryTransport(broker)
    for n in range(3):
        await transport.publish(msg(n))
    assert [m.message_id for m in broker.queue_messages("/", "inbox")] == ["m1", "m2"]
    (dropped,) = broker.queue_messages("/", "dlq")
    assert (dropped.message_id, dropped.headers["x-first-death-reason"]) == ("m0", "maxlen")


async def test_alternate_exchange_catches_what_the_exchange_cannot_route() -> None:
    broker = broker_with_inbox()
    broker.declare_exchange("/", "unroutable", "fanout")
    broker.declare_queue("/", "nsw.unroutable", QUORUM)
    broker.bind("/", "unroutable", "nsw.unroutable", "")
    broker.set_policy("/", "ae", "^nsw\\.agency$", {"alternate-exchange": "unroutable"}, apply_to="exchanges")
    transport = MemoryTransport(broker)
    await transport.publish(OutgoingMessage("nsw.agency", "agency.nobody.inbox", b"x", message_id="lost?"))
    assert [m.message_id for m in broker.queue_messages("/", "nsw.unroutable")] == ["lost?"]


async def test_per_message_expiration_dead_letters_with_the_original_expiration() -> None:
    broker = broker_with_inbox({**QUORUM, "x-dead-letter-exchange": "dlx"})
    broker.declare_exchange("/", "dlx", "fanout")
    broker.declare_queue("/", "dlq", QUORUM)
    broker.bind("/", "dlx", "dlq", "")
    transport = MemoryTransport(broker)
    await transport.publish(msg(1, expiration_ms=10))
    await asyncio.sleep(0.05)
    (expired,) = broker.queue_messages("/", "dlq")
    assert expired.expiration_ms is None
    assert expired.headers["x-death"][0]["original-expiration"] == "10"


async def test_exclusive_private_queues_belong_to_their_transport_and_go_with_it() -> None:
    broker = MemoryBroker()
    broker.declare_exchange("/", "nsw.status", "topic")
    owner, other = MemoryTransport(broker), MemoryTransport(broker)

    async def ignore(delivery: Delivery) -> None:
        await delivery.ack()

    subscription = await owner.consume_private("nsw.status", "#", ignore, prefetch=5)
    with pytest.raises(AccessDenied, match="RESOURCE_LOCKED"):
        await other.consume(subscription.queue, ignore, prefetch=5)
    await owner.close()
    assert subscription.queue not in broker.queues("/")
    with pytest.raises(BrokerUnavailable):
        await owner.publish(OutgoingMessage("nsw.status", "x", b"", mandatory=False))


async def test_classic_queues_flag_redeliveries_without_counting_them() -> None:
    broker = broker_with_inbox({"x-delivery-limit": 0})
    transport = MemoryTransport(broker)
    await transport.publish(msg(1))
    seen: list[Delivery] = []
    twice = asyncio.Event()

    async def nack_once(delivery: Delivery) -> None:
        seen.append(delivery)
        if len(seen) == 1:
            await delivery.nack(requeue=True)
        else:
            await delivery.ack()
            twice.set()

    await transport.consume("inbox", nack_once, prefetch=1)
    await asyncio.wait_for(twice.wait(), 2)
    assert [(d.redelivered, d.delivery_count, "x-delivery-count" in d.headers) for d in seen] == [
        (False, 0, False),
        (True, 0, False),
    ]


async def test_open_transport_without_url_is_in_memory_and_checks_its_input() -> None:
    broker = broker_with_inbox()
    transport = await open_transport(BrokerSettings(), memory_broker=broker)
    assert isinstance(transport, MemoryTransport)
    with pytest.raises(InvalidInput, match="prefetch"):
        await transport.consume("inbox", lambda d: d.ack(), prefetch=0)
    with pytest.raises(TypeError, match="bytes"):
        OutgoingMessage("x", "y", "not bytes")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match=r"broker\.url"):
        await connect(BrokerSettings())
