"""Running adapters as a process (``nsw adapter run``): open what a runtime needs, run until told to stop.

``run_isolated`` is the rule that one adapter never takes down another or the hub: whatever an adapter
raises while starting is logged with its name, its runtime is stopped and cleaned up, and the caller goes on.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import structlog

from singlewindow.adapters.sdk.codec import open_codec
from singlewindow.adapters.sdk.config_file import AdapterFile, adapter_config
from singlewindow.adapters.sdk.discovery import AdapterEntry
from singlewindow.adapters.sdk.runtime import AdapterRuntime
from singlewindow.adapters.sdk.store import AdapterStore
from singlewindow.platform.catalogue import load_catalogue
from singlewindow.platform.errors import ConfigurationError
from singlewindow.platform.settings import Settings
from singlewindow.platform.transport.factory import open_transport

log = structlog.get_logger(__name__)


@asynccontextmanager
async def open_runtime(
    entry: AdapterEntry, settings: Settings, file: AdapterFile, source: str
) -> AsyncIterator[AdapterRuntime]:
    """A runtime for ``entry`` wired to the broker (as the agency's own user), the registry and its store."""
    if settings.broker.url is None:
        raise ConfigurationError("nsw adapter run needs the broker: set NSW_BROKER__URL (amqp://host:5672/vhost)")
    routing_dir = settings.hub.routing_dir
    catalogue = load_catalogue(routing_dir / "recipients.json" if routing_dir else None)
    recipient = catalogue.get(file.agency or entry.agency)
    config = adapter_config(entry.adapter_class.config_model, file.adapter, source)
    async with AsyncExitStack() as stack:
        codec = await stack.enter_async_context(open_codec(settings.registry))
        transport = await open_transport(
            settings.broker,
            username=file.broker.username or recipient.broker_user,
            password=file.password(),
            connection_name=f"nsw-adapter-{entry.name}",
        )
        stack.push_async_callback(transport.close)
        store = await AdapterStore.open(file.runtime.store_url_for(entry.name), recipient.id)
        stack.push_async_callback(store.close)
        adapter = entry.adapter_class()
        yield AdapterRuntime(entry.name, adapter, recipient, config, transport, codec, store, file.runtime)


async def run_isolated(runtime: AdapterRuntime, stop: asyncio.Event) -> bool:
    """Start ``runtime``, run until ``stop`` is set, stop it; False (logged) when it failed to start."""
    try:
        await runtime.start()
    except Exception:
        log.exception("adapter failed to start: isolated, others keep running", adapter=runtime.name)
        await runtime.stop()
        return False
    try:
        await stop.wait()
    finally:
        await runtime.stop()
    return True


async def run_adapter(
    entry: AdapterEntry, settings: Settings, file: AdapterFile, source: str, stop: asyncio.Event
) -> bool:
    """What ``nsw adapter run`` does: open, run isolated until ``stop``, close. False if it could not start."""
    try:
        async with open_runtime(entry, settings, file, source) as runtime:
            return await run_isolated(runtime, stop)
    except ConfigurationError:
        raise
    except Exception as exc:
        log.exception("adapter could not be opened", adapter=entry.name, error=str(exc))
        return False


def describe_run(entry: AdapterEntry, settings: Settings) -> dict[str, Any]:
    return {"adapter": entry.name, "agency": entry.agency, "broker": settings.broker.url}
