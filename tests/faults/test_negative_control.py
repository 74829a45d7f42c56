"""Negative control: the same checker, run on a deliberately unsafe pipeline, must report losses.

The pipeline is auto-ack consumers on a classic, non-durable queue with transient messages (a quorum queue
would keep everything on disk whatever the delivery mode). Killing its consumer while it holds received
but unprocessed messages loses them; if the checker did not say so, its green on the real system would
mean nothing.
"""

from __future__ import annotations

import asyncio
import secrets
import sys
import time
from pathlib import Path

import pika
import pytest
from nswfaults.broker import Management
from nswfaults.checker import Report, check_terminals
from nswfaults.processes import Proc
from nswfaults.services import PrivateRabbit

pytestmark = pytest.mark.faults
CONSUMER = Path(__file__).with_name("nswfaults") / "unsafe_consumer.py"
MESSAGES = 300


def _ledger(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


async def test_auto_ack_on_a_classic_transient_queue_reports_losses_when_its_consumer_is_killed(
    private_rabbit: PrivateRabbit, tmp_path: Path
) -> None:
    queue = f"unsafe.work.{secrets.token_hex(3)}"
    ledger = tmp_path / "ledger.txt"
    url = private_rabbit.amqp_url(vhost="%2F")
    consumer = Proc(
        "unsafe-consumer",
        [sys.executable, str(CONSUMER), "--url", url, "--queue", queue, "--ledger", str(ledger)],
        {},
        tmp_path / "consumer.log",
    )
    consumer.start()
    management = Management(private_rabbit.management_url, "/")
    deadline = time.monotonic() + 30
    while queue not in await management.queues():
        assert time.monotonic() < deadline and consumer.alive, consumer.text()
        await asyncio.sleep(0.2)
    connection = pika.BlockingConnection(pika.URLParameters(url))
    accepted = []
    try:
        channel = connection.channel()
        for n in range(MESSAGES):  # "accepted": the publish returned; transient, no confirms
            message_id = f"u-{n:04d}"
            channel.basic_publish("", queue, b"{}", pika.BasicProperties(message_id=message_id, delivery_mode=1))
            accepted.append(message_id)
    finally:
        connection.close()
    await asyncio.sleep(1.0)  # the consumer has everything in its socket buffer, a few processed
    in_flight = MESSAGES - len(_ledger(ledger))
    consumer.kill()
    consumer.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # drain: whatever the queue still had is processed
        queues = await management.queues()
        if queues.get(queue) is not None and queues[queue].total == 0:
            break
        await asyncio.sleep(0.5)
    await asyncio.sleep(1.0)
    consumer.kill()
    report = Report(fault="negative-control: kill auto-ack consumer")
    check_terminals(report, set(accepted), [(m, 1, "CLEARED") for m in _ledger(ledger)], None)
    report.evidence = {"received_not_processed_before_kill": in_flight}
    print(report.summary())
    assert in_flight > 0, f"VOID run: nothing was in flight when the consumer was killed ({report.summary()})"
    assert report.failures, "the checker found no loss in a pipeline built to lose messages: it cannot fail"
    assert report.lost, report.summary()
