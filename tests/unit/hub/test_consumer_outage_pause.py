"""A hub consumer pauses before requeueing after an outage error, so a short database restart does not burn
the delivery limit (the fault harness saw 63 good messages parked in nsw.hub.dlq after an 8 s restart)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError

from singlewindow.platform.errors import InvalidInput
from singlewindow.platform.hub import consumer
from singlewindow.platform.hub.consumer import requeue_pause, settle


class FakeDelivery:
    def __init__(self, delivery_count: int) -> None:
        self.delivery_count = delivery_count
        self.message_id = "m-1"
        self.correlation_id = "s_1"
        self.settled = False
        self.outcome: tuple[str, bool] | None = None

    async def ack(self) -> None:
        self.settled, self.outcome = True, ("ack", False)

    async def nack(self, requeue: bool = True) -> None:
        self.settled, self.outcome = True, ("nack", requeue)

    async def reject(self, requeue: bool = False) -> None:
        self.settled, self.outcome = True, ("reject", requeue)


def test_the_pause_grows_with_the_delivery_count_and_spans_the_delivery_limit() -> None:
    assert [requeue_pause(n) for n in (0, 1, 2, 3, 4, 10)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]
    assert sum(requeue_pause(n) for n in range(20)) > 80  # delivery limit 20: over a minute of outage


@pytest.mark.parametrize(
    ("error", "paused", "outcome"),
    [
        (DBAPIError("SELECT 1", {}, ConnectionRefusedError("database restarting")), [2.0], ("nack", True)),
        (ConnectionResetError("server closed the connection"), [2.0], ("nack", True)),
        (ValueError("a bug"), [], ("nack", True)),
        (InvalidInput("bad message"), [], ("reject", False)),
    ],
)
async def test_outage_errors_pause_before_the_requeue_others_do_not(
    monkeypatch: pytest.MonkeyPatch, error: Exception, paused: list[float], outcome: tuple[str, bool]
) -> None:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(consumer.asyncio, "sleep", fake_sleep)
    delivery: Any = FakeDelivery(delivery_count=2)
    async with settle(delivery, "test"):
        raise error
    assert slept == paused
    assert delivery.outcome == outcome
