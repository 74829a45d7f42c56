"""What a message may carry (issue 11 follow-up): the header frame size held against pika's own frames, the
in-memory broker's refusal, and the RabbitMQ transport failing only the message a broker refusal is about."""

from __future__ import annotations

import asyncio
import decimal
import struct
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from pika import exceptions as pika_errors
from pika import frame as pika_frame

from singlewindow.platform.errors import InvalidInput, PayloadTooLarge
from singlewindow.platform.transport import MemoryBroker, MemoryTransport, OutgoingMessage
from singlewindow.platform.transport.confirms import PendingPublish
from singlewindow.platform.transport.rabbitmq import RabbitMqTransport, _Chan, _to_pika
from singlewindow.platform.transport.wire import FRAME_MAX, check_message, header_frame_size

STAMP = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)

ENCODABLE: list[OutgoingMessage] = [
    OutgoingMessage("ex", "k", b""),
    OutgoingMessage("ex", "k", b"body", message_id="m-1", persistent=False),
    OutgoingMessage(
        "nsw.intake",
        "intake",
        b"x" * 1000,
        message_id="m-2",
        correlation_id="sub-1",
        type="customs-declaration",
        content_type="application/json",
        user_id="guest",
        timestamp=STAMP,
        expiration_ms=300,
        headers={
            "s": "é" * 10,
            "b": b"\x00\xff",
            "t": True,
            "i32": 2**31 - 1,
            "i64": 2**31,
            "neg": -(2**63),
            "d": decimal.Decimal("12.345"),
            "d0": decimal.Decimal("1E+3"),
            "when": STAMP,
            "nested": {"a": [1, "two", None, {"x": []}]},
            "void": None,
            "CC": ["agency.customs.inbox"],
        },
    ),
    OutgoingMessage("ex", "k", b"", headers={"big": "h" * 200_000}),
]

UNENCODABLE: list[dict[str, Any]] = [
    {"message_id": "m" * 256},
    {"headers": {"k" * 256: 1}},
    {"headers": {"int": 2**63}},
    {"headers": {"tuple": (1, 2)}},
    {"headers": {"set": {1}}},
    {"headers": {"bytearray": bytearray(b"x")}},
    {"headers": {"d": decimal.Decimal("1E+20")}},
    {"headers": {"d": decimal.Decimal("NaN")}},
    {"headers": {"old": datetime(1969, 1, 1, tzinfo=UTC)}},
    {"headers": {"surrogate": "\udcff"}},
    {"headers": {1: "non-string key"}},
    {"timestamp": datetime(1960, 1, 1, tzinfo=UTC)},
]


def pika_header_frame(message: OutgoingMessage) -> int:
    return len(pika_frame.Header(1, len(message.body), _to_pika(message)).marshal())


@pytest.mark.parametrize("message", ENCODABLE)
def test_header_frame_size_is_what_pika_sends(message: OutgoingMessage) -> None:
    assert header_frame_size(message) == pika_header_frame(message)


@pytest.mark.parametrize("fields", UNENCODABLE)
def test_what_pika_cannot_encode_is_invalid_input(fields: dict[str, Any]) -> None:
    message = OutgoingMessage("ex", "k", b"", **fields)
    with pytest.raises(Exception):  # noqa: B017, PT011 - pika raises struct, type, encoding or AMQP errors
        pika_header_frame(message)
    with pytest.raises(InvalidInput):
        header_frame_size(message)


def test_check_message_refuses_an_oversized_header_frame_and_malformed_routing_fields() -> None:
    ok = OutgoingMessage("ex", "k", b"", headers={"CC": ["a"], "BCC": []}, expiration_ms=2**32 - 1)
    check_message(ok, frame_max=FRAME_MAX, header_frame=FRAME_MAX)
    with pytest.raises(PayloadTooLarge):
        check_message(ok, frame_max=FRAME_MAX, header_frame=FRAME_MAX + 1)
    for bad in ({"headers": {"CC": "a"}}, {"headers": {"BCC": None}}, {"expiration_ms": 2**32}):
        with pytest.raises(InvalidInput):
            check_message(OutgoingMessage("ex", "k", b"", **bad), frame_max=FRAME_MAX, header_frame=100)


async def test_memory_broker_refuses_what_rabbitmq_never_takes_and_keeps_going() -> None:
    broker = MemoryBroker(max_message_size=10)
    broker.declare_queue("/", "q")
    transport = MemoryTransport(broker)
    with pytest.raises(PayloadTooLarge):
        await transport.publish(OutgoingMessage("", "q", b"", headers={"h": "h" * FRAME_MAX}))
    with pytest.raises(PayloadTooLarge):
        await transport.publish(OutgoingMessage("", "q", b"x" * 11))
    with pytest.raises(InvalidInput):
        await transport.publish(OutgoingMessage("", "q", b"", message_id="m" * 256))
    await transport.publish(OutgoingMessage("", "q", b"x" * 10, message_id="fine"))
    assert [m.message_id for m in broker.queue_messages("/", "q")] == ["fine"]


def rabbit() -> RabbitMqTransport:
    parameters = SimpleNamespace(credentials=SimpleNamespace(username="guest"))
    return RabbitMqTransport([parameters], confirm_window=10, reconnect_max_seconds=1, publish_timeout=5, max_sends=5)


def queued(transport: RabbitMqTransport, *messages: OutgoingMessage) -> list[PendingPublish]:
    loop = asyncio.get_running_loop()
    items = [PendingPublish(message, loop.create_future()) for message in messages]
    for item in items:
        transport._tracker.add(item)
    return items


async def test_a_406_about_the_message_size_fails_that_message_only() -> None:
    transport = rabbit()
    small, large = queued(transport, OutgoingMessage("ex", "k", b"a"), OutgoingMessage("ex", "k", b"b" * 50))
    reason = pika_errors.ChannelClosedByBroker(
        406, "PRECONDITION_FAILED - message size 50 is larger than configured max size 10"
    )
    transport._blame(reason)
    assert isinstance(large.future.exception(), PayloadTooLarge)
    assert not small.future.done()  # resent on the next channel


async def test_a_406_invalid_message_fails_the_malformed_message_only() -> None:
    transport = rabbit()
    good, bad = queued(transport, OutgoingMessage("ex", "k", b""), OutgoingMessage("ex", "k", b"", headers={"CC": "x"}))
    reason = pika_errors.ChannelClosedByBroker(
        406, 'PRECONDITION_FAILED - invalid message: {unacceptable_type_in_header,"CC",longstr}'
    )
    transport._blame(reason)
    assert isinstance(bad.future.exception(), InvalidInput)
    assert not good.future.done()


async def test_a_frame_too_large_connection_close_fails_that_message_instead_of_resending_it() -> None:
    transport = rabbit()
    big_message = OutgoingMessage("ex", "k", b"", message_id="big", headers={"h": "h" * 200_000})
    small, big = queued(transport, OutgoingMessage("ex", "k", b"", message_id="small"), big_message)
    payload = header_frame_size(big_message) - 8
    reason = pika_errors.ConnectionClosedByBroker(
        501, f"FRAME_ERROR - type 2, all octets = <<>>: {{frame_too_large,{payload},131064}}"
    )
    transport._blame_connection(reason)
    assert isinstance(big.future.exception(), PayloadTooLarge)
    assert not small.future.done()


class FakeChannel:
    is_open = True

    def __init__(self) -> None:
        self.sent: list[str | None] = []

    def basic_publish(self, exchange: str, routing_key: str, body: bytes, properties: Any, mandatory: bool) -> None:
        if properties.message_id == "short-string":
            raise pika_errors.ShortStringTooLong(b"x")
        if properties.message_id == "struct":
            raise struct.error("argument out of range")
        self.sent.append(properties.message_id)


async def test_a_message_pika_cannot_encode_fails_without_holding_up_the_ones_behind_it() -> None:
    transport = rabbit()
    channel = FakeChannel()
    transport._publish_chan = _Chan(channel, asyncio.get_running_loop().create_future())
    items = queued(
        transport,
        *(OutgoingMessage("ex", "k", b"", message_id=name) for name in ("short-string", "ok-1", "struct", "ok-2")),
    )
    transport._flush()
    assert channel.sent == ["ok-1", "ok-2"]
    assert isinstance(items[0].future.exception(), InvalidInput)
    assert isinstance(items[2].future.exception(), InvalidInput)
    assert transport._tracker.in_flight == 2  # the two sent, awaiting their confirms


def test_header_values_as_pika_decodes_them_are_sized_at_once() -> None:
    """A redelivered message's 64-bit headers come back as ``pika.compat.long`` (an int subclass); sizing
    them must not walk a range (``x in range`` is O(1) only for exact ints: that hung the hub's parking of a
    forged message in the hostile suite). An alarm turns a hang into a failure."""
    import signal

    from pika.compat import long

    def hung(_signum: int, _frame: object) -> None:
        raise TimeoutError("header_frame_size did not return")

    as_pika = {"x-attempt": long(2**63 - 1), "x-small": long(7), "x-list": [long(-(2**63))]}
    exact = {"x-attempt": 2**63 - 1, "x-small": 7, "x-list": [-(2**63)]}
    previous = signal.signal(signal.SIGALRM, hung)
    signal.setitimer(signal.ITIMER_REAL, 5.0)
    try:
        sized = header_frame_size(OutgoingMessage(exchange="x", routing_key="k", body=b"", headers=as_pika))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert sized == header_frame_size(OutgoingMessage(exchange="x", routing_key="k", body=b"", headers=exact))
