"""Auto-deciding agencies for the benches, in the bench's own process or in processes of their own:
``python -m singlewindow.platform.bench.agency_process`` runs the stand-ins
(:class:`~singlewindow.platform.testing.autodecide.AutoDecider`, every agency accepts) for the agencies its
configuration line names, each over its own connection under its own broker user, until its stdin closes.

Configuration (one JSON line on stdin, see ``children``)::

    {"database_url": "...", "agencies": [{"id": "customs", "broker_user": "...", "url": "amqp://..."}]}

The codec is read from the registry tables of the hub database, as the hub processes read it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

from singlewindow.platform import collector
from singlewindow.platform.bench.children import read_config, say, stdin_closed
from singlewindow.platform.hub.codec import DocumentCodec
from singlewindow.platform.hub.schemas import ServiceSchemaSource, build_codec
from singlewindow.platform.logs import configure_logging
from singlewindow.platform.settings import BrokerSettings, LogSettings
from singlewindow.platform.specs import Catalog
from singlewindow.platform.testing.autodecide import AutoDecider, accept_all
from singlewindow.platform.transport import open_transport
from singlewindow.registry.service import RegistryService
from singlewindow.registry.settings import RegistrySettings
from singlewindow.registry.storage.engine import create_engine as create_registry_engine
from singlewindow.registry.storage.store import SchemaStore

MODULE = "singlewindow.platform.bench.agency_process"


@dataclass(frozen=True, slots=True)
class AgencyLogin:
    id: str
    broker_user: str
    url: str  # AMQP URL into the run's vhost as ``broker_user``

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "broker_user": self.broker_user, "url": self.url}


async def codec_from_database(stack: AsyncExitStack, database_url: str) -> DocumentCodec:
    """The codec the hub processes use, read from the registry tables the first of them filled."""
    store = SchemaStore(create_registry_engine(database_url))
    stack.push_async_callback(store.close)
    return await build_codec(ServiceSchemaSource(RegistryService(store, RegistrySettings())), Catalog().names())


async def start_deciders(
    stack: AsyncExitStack, codec: DocumentCodec, agencies: Sequence[AgencyLogin], *, remember: bool = True
) -> None:
    """One auto-decider per agency, each on its own connection; stopped and closed when ``stack`` unwinds."""
    for agency in agencies:
        transport = await open_transport(BrokerSettings(url=agency.url), connection_name=f"nsw-bench-{agency.id}")
        stack.push_async_callback(transport.close)
        decider = AutoDecider(agency.id, agency.broker_user, transport, codec, accept_all, remember=remember)
        await decider.start()
        stack.push_async_callback(decider.stop)


async def main(config: dict[str, Any]) -> None:
    configure_logging(LogSettings(level="warning", format="json"))  # to stderr: stdout is for the parent
    closed = stdin_closed()
    agencies = [AgencyLogin(a["id"], a["broker_user"], a["url"]) for a in config["agencies"]]
    async with AsyncExitStack() as stack:
        codec = await codec_from_database(stack, config["database_url"])
        await start_deciders(stack, codec, agencies, remember=False)
        collector.freeze_startup()
        say(ready=True, agencies=[a.id for a in agencies])
        await closed.wait()


if __name__ == "__main__":
    collector.tune()  # as ``nsw adapter run`` does
    asyncio.run(main(read_config()))
