"""The hub bench's embedded target: the whole hub in this process (in-memory broker, SQLite in a temporary
folder), auto-deciding agencies under their own broker users, submissions straight into the intake service."""

from __future__ import annotations

import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.bench.cpu import CpuClock
from singlewindow.platform.bench.hub_load import SubmitOne
from singlewindow.platform.identity import Role
from singlewindow.platform.settings import BrokerSettings, Settings
from singlewindow.platform.testing.autodecide import AutoDecider, accept_all
from singlewindow.platform.testing.embedded import embedded_hub

DOCUMENT_TYPE = "consignment"


@dataclass(frozen=True, slots=True)
class BenchTarget:
    """What the load needs: a way to submit, and the hub database to read terminal statuses and the outbox."""

    submit: SubmitOne
    engine: AsyncEngine
    where: str
    vhost: str | None = None  # RabbitMQ vhost, for the broker's rates (None: in-memory broker)
    broker: BrokerSettings | None = None  # management API of that broker
    database_url: str | None = None  # PostgreSQL, for its version (None: SQLite)
    hub_cpu: CpuClock = time.process_time  # cumulative CPU seconds of the hub side
    hub_cpu_counts: str = "this whole process: hub, agencies and load"


@asynccontextmanager
async def embedded_target(settings: Settings) -> AsyncIterator[BenchTarget]:
    embedded_settings = settings.model_copy(
        update={
            "broker": settings.broker.model_copy(update={"url": None}),
            "hub": settings.hub.model_copy(update={"routing_dir": None}),
        }
    )
    with tempfile.TemporaryDirectory(prefix="nsw-bench-hub-") as folder:
        async with AsyncExitStack() as stack:
            embedded = await stack.enter_async_context(embedded_hub(Path(folder) / "hub.db", embedded_settings))
            hub = embedded.hub
            for agency in embedded.catalogue.agencies():
                transport = await embedded.agency_transport(agency.id)
                stack.push_async_callback(transport.close)
                decider = AutoDecider(agency.id, agency.broker_user, transport, hub.codec, accept_all)
                await decider.start()
                stack.push_async_callback(decider.stop)
            trader = (await hub.principals.add("bench-trader", Role.TRADER)).principal

            async def submit(document: dict[str, Any]) -> str:
                view, _ = await hub.intake.submit(trader, DOCUMENT_TYPE, document, document["traderReference"])
                return view.submission_id

            yield BenchTarget(submit, hub.engine, "embedded hub in this process: in-memory broker, SQLite")
