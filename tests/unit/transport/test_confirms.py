"""Confirm book-keeping fed with synthetic broker frames (ack/nack with multiple, returns, channel loss)."""

from __future__ import annotations

import asyncio

import pytest

from singlewindow.platform.errors import BrokerUnavailable, PublishRejected, Unroutable
from singlewindow.platform.transport import OutgoingMessage
from singlewindow.platform.transport.confirms import ConfirmTracker, PendingPublish


def pending(n: int, key: str = "k") -> PendingPublish:
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    return PendingPublish(OutgoingMessage("ex", key, f"b{n}".encode(), message_id=f"m{n}"), future)


def send_all(tracker: ConfirmTracker, *items: PendingPublish) -> list[int]:
    for item in items:
        tracker.add(item)
    return [tracker.sent(item) for item in tracker.take_unsent()]


async def test_multiple_ack_resolves_every_tag_up_to_it_and_no_further() -> None:
    tracker = ConfirmTracker()
    items = [pending(n) for n in range(5)]
    assert send_all(tracker, *items) == [1, 2, 3, 4, 5]
    tracker.on_confirm(3, multiple=True, ack=True)
    assert [item.future.done() for item in items] == [True, True, True, False, False]
    tracker.on_confirm(5, multiple=False, ack=True)
    assert [item.future.done() for item in items] == [True, True, True, False, True]
    assert tracker.in_flight == 1
    assert tracker.stats.confirmed == 4


async def test_nack_rejects_and_a_return_before_the_ack_is_unroutable() -> None:
    tracker = ConfirmTracker(max_sends=1)
    first, second, third = pending(1), pending(2, key="nowhere"), pending(3)
    send_all(tracker, first, second, third)
    tracker.on_return(exchange="ex", routing_key="nowhere", message_id="m2", body=b"b2", reply="312 NO_ROUTE")
    tracker.on_confirm(2, multiple=True, ack=True)
    tracker.on_confirm(3, multiple=False, ack=False)
    assert first.future.result() is None
    with pytest.raises(Unroutable, match="NO_ROUTE"):
        second.future.result()
    with pytest.raises(PublishRejected, match=r"^broker nacked message 'm3' 1 times$"):
        third.future.result()
    assert (tracker.stats.returned, tracker.stats.nacked) == (1, 1)


async def test_channel_loss_requeues_unconfirmed_in_order_and_tags_restart() -> None:
    tracker = ConfirmTracker()
    items = [pending(n) for n in range(4)]
    send_all(tracker, *items)
    tracker.on_confirm(1, multiple=False, ack=True)
    assert tracker.reset_channel() == 3
    again = [tracker.sent(item) for item in tracker.take_unsent()]
    assert again == [1, 2, 3]
    tracker.on_confirm(3, multiple=True, ack=True)
    assert all(item.future.done() for item in items)
    assert tracker.stats.republished == 3


async def test_send_budget_fails_a_message_never_confirmed() -> None:
    tracker = ConfirmTracker(max_sends=2)
    item = pending(1)
    send_all(tracker, item)
    tracker.reset_channel()
    send_all(tracker)
    tracker.reset_channel()
    assert list(tracker.take_unsent()) == []
    with pytest.raises(BrokerUnavailable, match="after 2 sends"):
        item.future.result()


async def test_unsend_puts_the_message_back_first_and_reuses_the_tag() -> None:
    tracker = ConfirmTracker()
    first, second = pending(1), pending(2)
    tracker.add(first)
    tracker.add(second)
    sent = tracker.take_unsent()
    tag = tracker.sent(next(sent))
    tracker.unsend(tag)
    assert [tracker.sent(item) for item in tracker.take_unsent()] == [1, 2]


async def test_fail_only_hits_matching_publishes_and_forget_cancels() -> None:
    tracker = ConfirmTracker()
    forged = PendingPublish(
        OutgoingMessage("ex", "k", b"x", user_id="someone-else"), asyncio.get_running_loop().create_future()
    )
    honest = pending(2)
    send_all(tracker, forged, honest)
    assert tracker.fail(lambda m: m.user_id == "someone-else", BrokerUnavailable("x")) == 1
    assert forged.future.done() and not honest.future.done()
    tracker.forget(honest)
    assert honest.future.cancelled()


async def test_a_nack_sends_the_message_again_until_its_sends_are_used_up() -> None:
    tracker = ConfirmTracker(max_sends=2)
    item = pending(1)
    send_all(tracker, item)
    tracker.on_confirm(1, multiple=False, ack=False)
    assert not item.future.done()
    assert list(tracker.take_unsent()) == [item]  # first in line for the next channel
    tracker.sent(item)
    tracker.on_confirm(2, multiple=False, ack=False)
    with pytest.raises(PublishRejected, match=r"^broker nacked message 'm1' 2 times$"):
        item.future.result()
    assert (tracker.stats.nacked, tracker.stats.republished, tracker.in_flight) == (2, 1, 0)
