"""Choose the transport from settings: RabbitMQ when ``broker.url`` is set, the in-memory broker if not."""

from __future__ import annotations

from singlewindow.platform.settings import BrokerSettings
from singlewindow.platform.transport.base import Transport
from singlewindow.platform.transport.memory import MemoryBroker
from singlewindow.platform.transport.memory_transport import MemoryTransport
from singlewindow.platform.transport.rabbitmq import connect


async def open_transport(
    settings: BrokerSettings,
    *,
    memory_broker: MemoryBroker | None = None,
    username: str | None = None,
    password: str | None = None,
    connection_name: str = "nsw",
) -> Transport:
    """Open the configured transport; every in-memory transport of a process must share one broker.

    Without a URL the user defaults to ``guest`` (the in-memory broker's administrator) and the password
    is checked only when given.
    """
    if settings.url is None:
        broker = memory_broker if memory_broker is not None else MemoryBroker()
        return MemoryTransport(broker, settings.vhost, username or "guest", password)
    return await connect(settings, username=username, password=password, connection_name=connection_name)
