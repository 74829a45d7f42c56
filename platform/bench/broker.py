"""``nsw bench broker``: publish-with-confirm and consume rates on one quorum queue, through bare pika (the
baseline) and through the project's Transport, and the transport's overhead against the baseline."""

from __future__ import annotations

from dataclasses import dataclass

from singlewindow.platform.bench.environment import environment
from singlewindow.platform.bench.limits import (
    MAX_MESSAGE_BYTES,
    MAX_MESSAGES,
    MAX_WINDOW,
    PHASE_TIMEOUT_SECONDS,
    bounded,
)
from singlewindow.platform.bench.loopback import redact_password, require_loopback
from singlewindow.platform.bench.phases import PhaseResult
from singlewindow.platform.bench.raw_broker import raw_baseline
from singlewindow.platform.bench.report import BenchReport, Figure
from singlewindow.platform.bench.scratch_vhost import amqp_user, scratch_vhost
from singlewindow.platform.bench.through_transport import transport_run
from singlewindow.platform.settings import BrokerSettings

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/"


@dataclass(frozen=True, slots=True)
class BrokerBenchOptions:
    amqp_url: str = DEFAULT_AMQP_URL
    messages: int = 10_000
    size: int = 1024
    window: int = 256

    def checked(self) -> BrokerBenchOptions:
        require_loopback(self.amqp_url, "--amqp-url")
        bounded("messages", self.messages, 1, MAX_MESSAGES)
        bounded("size", self.size, 1, MAX_MESSAGE_BYTES)
        bounded("window", self.window, 1, MAX_WINDOW)
        return self


def overhead_percent(raw: PhaseResult, through: PhaseResult) -> float | None:
    """Extra time per message through the transport, as a percentage of the baseline's (negative: faster)."""
    if raw.seconds <= 0 or raw.operations == 0 or through.operations == 0:
        return None
    return (through.seconds / through.operations) / (raw.seconds / raw.operations) * 100 - 100


def cpu_overhead_percent(raw: PhaseResult, through: PhaseResult) -> float | None:
    """Extra client CPU per message through the transport, as a percentage of the baseline's."""
    base, extra = raw.cpu_micros_per_operation, through.cpu_micros_per_operation
    if base is None or extra is None or base <= 0:
        return None
    return extra / base * 100 - 100


async def run_broker_bench(options: BrokerBenchOptions, broker: BrokerSettings) -> BenchReport:
    """Both runs in one fresh vhost (one quorum queue each), deleted afterwards."""
    options = options.checked()
    require_loopback(broker.management_url, "broker.management_url")
    broker = broker.model_copy(update={"url": options.amqp_url})
    found = await environment(broker)
    timeout = PHASE_TIMEOUT_SECONDS
    async with scratch_vhost(broker, amqp_user(options.amqp_url), ("bench.raw", "bench.transport")) as vhost:
        raw_pub, raw_con = await raw_baseline(
            options.amqp_url, vhost, "bench.raw", options.messages, options.size, options.window, timeout
        )
        tr_pub, tr_con, republished = await transport_run(
            broker, vhost, "bench.transport", options.messages, options.size, options.window, timeout
        )
    figures = (
        Figure("raw publish+confirm", raw_pub.per_second, "msg/s", f"{raw_pub.seconds:.2f} s"),
        Figure("raw consume+ack", raw_con.per_second, "msg/s", f"{raw_con.seconds:.2f} s"),
        Figure("transport publish+confirm", tr_pub.per_second, "msg/s", f"{tr_pub.seconds:.2f} s"),
        Figure("transport consume+ack", tr_con.per_second, "msg/s", f"{tr_con.seconds:.2f} s"),
        Figure("raw publish CPU", raw_pub.cpu_micros_per_operation, "us/msg", "client process CPU"),
        Figure("raw consume CPU", raw_con.cpu_micros_per_operation, "us/msg", "client process CPU"),
        Figure("transport publish CPU", tr_pub.cpu_micros_per_operation, "us/msg", "client process CPU"),
        Figure("transport consume CPU", tr_con.cpu_micros_per_operation, "us/msg", "client process CPU"),
        Figure("transport overhead publish", overhead_percent(raw_pub, tr_pub), "%", "wall time per message vs raw"),
        Figure("transport overhead consume", overhead_percent(raw_con, tr_con), "%", "wall time per message vs raw"),
        Figure("transport CPU overhead publish", cpu_overhead_percent(raw_pub, tr_pub), "%", "CPU per message vs raw"),
        Figure("transport CPU overhead consume", cpu_overhead_percent(raw_con, tr_con), "%", "CPU per message vs raw"),
        Figure("transport republished", float(republished), "msgs", "sent again after a channel reset"),
    )
    settings = {
        "amqp_url": redact_password(options.amqp_url),
        "vhost": vhost,
        "messages": options.messages,
        "size_bytes": options.size,
        "window": options.window,
        "queue_type": "quorum",
        "persistent": True,
    }
    notes = ("raw = pika asyncio adapter directly; transport = singlewindow.platform.transport (RabbitMqTransport)",)
    return BenchReport("broker", settings, found, figures, notes)
