"""The in-memory Shovel: the cross-border link's on-confirm semantics without RabbitMQ (issue 13)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from singlewindow.platform.transport import MemoryBroker, MemoryTransport, OutgoingMessage
from singlewindow.platform.transport.memory_shovel import ShovelState

DELAY = 0.02


@pytest.fixture
def broker() -> MemoryBroker:
    """Vhost ``a`` with a quorum ``out`` queue (delivery limit 3, dead letters to ``dlq``); vhost ``b`` with
    fanout ``in`` -> ``inq``; user ``link`` may only write ``in`` in ``b``."""
    memory = MemoryBroker()
    memory.add_vhost("a")
    memory.set_permissions("a", "guest", ".*", ".*", ".*")
    memory.declare_exchange("a", "out", "direct")
    memory.declare_exchange("a", "dlx", "fanout")
    memory.set_policy("a", "out", "^out$", {"delivery-limit": 3, "dead-letter-exchange": "dlx"}, priority=1)
    memory.declare_queue("a", "out", {"x-queue-type": "quorum"})
    memory.declare_queue("a", "dlq", {"x-queue-type": "quorum"})
    memory.bind("a", "out", "out", "cn")
    memory.bind("a", "dlx", "dlq", "")
    memory.add_vhost("b")
    memory.set_permissions("b", "guest", ".*", ".*", ".*")
    memory.declare_exchange("b", "in", "fanout")
    memory.declare_queue("b", "inq", {"x-queue-type": "quorum"})
    memory.bind("b", "in", "inq", "")
    memory.add_user("link", "secret")
    memory.set_permissions("b", "link", "^$", "^in$", "^$")
    return memory


def message(n: int, **extra: object) -> OutgoingMessage:
    return OutgoingMessage(
        "out",
        "cn",
        f'{{"n": {n}}}'.encode(),
        message_id=f"m-{n}",
        type="crossborder-envelope",
        content_type="application/json",
        headers={"x-seq": n},
        **extra,  # type: ignore[arg-type]
    )


async def publish(broker: MemoryBroker, *messages: OutgoingMessage) -> None:
    transport = MemoryTransport(broker, "a")
    for item in messages:
        await transport.publish(item)
    await transport.close()


def ids(broker: MemoryBroker, vhost: str, queue: str) -> list[str | None]:
    return [m.message_id for m in broker.queue_messages(vhost, queue)]


async def until(condition: Callable[[], bool], within: float = 2.0) -> None:
    async with asyncio.timeout(within):
        while True:
            if condition():
                return
            await asyncio.sleep(0.005)


def start(broker: MemoryBroker, user: str = "link") -> None:
    broker.start_shovel("link-cn", "a", "out", "b", "in", user, reconnect_delay=DELAY)


async def test_moves_each_message_unchanged_and_acks_the_source_only_then(broker: MemoryBroker) -> None:
    await publish(broker, *(message(n) for n in range(5)))
    start(broker)
    await until(lambda: len(ids(broker, "b", "inq")) == 5)
    moved = broker.queue_messages("b", "inq")
    assert [m.message_id for m in moved] == [f"m-{n}" for n in range(5)]
    first = moved[0]
    assert (first.exchange, first.routing_key, first.type, first.content_type) == (
        "in",
        "cn",
        "crossborder-envelope",
        "application/json",
    )
    assert (first.body, dict(first.headers), first.user_id) == (b'{"n": 0}', {"x-seq": 0}, None)
    assert broker.queue_state("a", "out").message_count == 0
    shovel = broker.shovel("link-cn")
    assert shovel is not None and shovel.state is ShovelState.RUNNING and shovel.moved == 5
    # Later messages keep flowing while it runs.
    await publish(broker, message(5))
    await until(lambda: len(ids(broker, "b", "inq")) == 6)


async def test_a_user_id_other_than_the_link_user_is_refused_and_stays_at_the_source(broker: MemoryBroker) -> None:
    await publish(broker, message(1, user_id="guest"), message(2))
    start(broker)
    await until(lambda: ids(broker, "b", "inq") == ["m-2"])
    shovel = broker.shovel("link-cn")
    assert shovel is not None and shovel.refused >= 1
    assert "user_id" in (shovel.last_refusal or "")
    # Each refusal returns it to the source (delivery count); past the delivery limit it is dead-lettered.
    await until(lambda: ids(broker, "a", "dlq") == ["m-1"])
    assert ids(broker, "b", "inq") == ["m-2"]
    assert broker.queue_state("a", "out").message_count == 0


async def test_a_user_id_equal_to_the_link_user_passes(broker: MemoryBroker) -> None:
    broker.add_user("guest", "guest", tags=("administrator", "impersonator"))  # may publish as the link user
    await publish(broker, message(1, user_id="link"))
    start(broker)
    await until(lambda: ids(broker, "b", "inq") == ["m-1"])


async def test_no_write_access_leaves_messages_at_the_source_until_granted(broker: MemoryBroker) -> None:
    broker.set_permissions("b", "link", "^$", "^elsewhere$", "^$")
    await publish(broker, message(1))
    start(broker)
    await until(lambda: (s := broker.shovel("link-cn")) is not None and s.refused >= 1)
    assert ids(broker, "b", "inq") == []
    assert ids(broker, "a", "dlq") == []
    broker.set_permissions("b", "link", "^$", "^in$", "^$")
    await until(lambda: ids(broker, "b", "inq") == ["m-1"])
    assert broker.queue_state("a", "out").message_count == 0


async def test_a_full_destination_refuses_and_the_message_waits(broker: MemoryBroker) -> None:
    broker.set_policy("b", "full", "^inq$", {"max-length": 1, "overflow": "reject-publish"})
    await publish(broker, message(1), message(2), message(3))
    broker.set_policy("a", "out", "^out$", {"delivery-limit": 1000, "dead-letter-exchange": "dlx"}, priority=1)
    start(broker)
    await until(lambda: (s := broker.shovel("link-cn")) is not None and s.refused >= 2)
    assert ids(broker, "b", "inq") == ["m-1", "m-2"]  # a quorum queue takes one over its limit
    assert (
        ids(broker, "a", "out") == ["m-3"]
        or broker.queue("a", "out").message_count + len(broker.queue("a", "out")._unacked) == 1
    )
    broker.clear_policy("b", "full")
    await until(lambda: ids(broker, "b", "inq") == ["m-1", "m-2", "m-3"])


async def test_a_cut_link_loses_nothing_and_resumes(broker: MemoryBroker) -> None:
    await publish(broker, *(message(n) for n in range(3)))
    start(broker)
    await until(lambda: len(ids(broker, "b", "inq")) == 3)
    assert broker.stop_shovel("link-cn") and broker.shovel("link-cn") is None
    assert not broker.stop_shovel("link-cn")
    await publish(broker, *(message(n) for n in range(3, 10)))
    await asyncio.sleep(DELAY * 3)
    assert len(ids(broker, "b", "inq")) == 3 and broker.queue_state("a", "out").message_count == 7
    start(broker)
    await until(lambda: len(ids(broker, "b", "inq")) == 10)
    assert ids(broker, "b", "inq") == [f"m-{n}" for n in range(10)]


async def test_stopping_while_the_destination_refuses_returns_the_messages(broker: MemoryBroker) -> None:
    broker.set_permissions("b", "link", "^$", "^$", "^$")
    await publish(broker, message(1), message(2))
    broker.start_shovel("link-cn", "a", "out", "b", "in", "link", reconnect_delay=10)
    await until(lambda: (s := broker.shovel("link-cn")) is not None and s.refused == 2)
    assert broker.queue_state("a", "out").message_count == 0  # held, unacked
    broker.stop_shovel("link-cn")
    assert ids(broker, "a", "out") == ["m-1", "m-2"]


async def test_an_unreachable_destination_is_retried_without_touching_the_source(broker: MemoryBroker) -> None:
    await publish(broker, message(1))
    broker.start_shovel("link-cn", "a", "out", "nowhere", "in", "link", reconnect_delay=DELAY)
    shovel = broker.shovel("link-cn")
    assert shovel is not None and shovel.state is ShovelState.STARTING
    await asyncio.sleep(DELAY * 4)
    assert broker.queue("a", "out").ready_messages()[0].delivery_count == 0  # never consumed
    broker.add_vhost("nowhere")
    broker.declare_exchange("nowhere", "in", "fanout")
    broker.declare_queue("nowhere", "q", {"x-queue-type": "quorum"})
    broker.bind("nowhere", "in", "q", "")
    broker.set_permissions("nowhere", "link", "^$", "^in$", "^$")
    await until(lambda: ids(broker, "nowhere", "q") == ["m-1"])
    assert shovel.state is ShovelState.RUNNING


async def test_deleting_the_source_vhost_stops_its_shovel(broker: MemoryBroker) -> None:
    start(broker)
    broker.delete_vhost("a")
    assert broker.shovel("link-cn") is None
