"""What a figure was measured on: core count, load, software versions. Figures from a busy 2-core machine mean
little without this, so every bench report carries it."""

from __future__ import annotations

import contextlib
import os
import platform as stdlib_platform
import sys
from importlib import metadata
from typing import Any

from singlewindow.platform.errors import NswError
from singlewindow.platform.settings import BrokerSettings
from singlewindow.platform.storage import open_engine
from singlewindow.platform.topology.management import ManagementClient


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


async def rabbitmq_version(broker: BrokerSettings) -> str | None:
    """From the management API's overview; None when it cannot be read."""
    with contextlib.suppress(NswError):
        async with ManagementClient.from_settings(broker) as client:
            return str((await client.overview()).get("rabbitmq_version")) or None
    return None


async def postgres_version(database_url: str) -> str | None:
    """``SHOW server_version`` of the server behind ``database_url``; None for other backends or on error."""
    if not database_url.startswith("postgresql"):
        return None
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    engine = open_engine(database_url)
    try:
        async with engine.connect() as connection:
            return str((await connection.execute(text("SHOW server_version"))).scalar_one())
    except (SQLAlchemyError, OSError):
        return None
    finally:
        await engine.dispose()


def machine() -> dict[str, Any]:
    """Cores, load average at the start, Python and the client libraries' versions."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "cores": os.cpu_count(),
        "load_average_1m": round(load[0], 2),
        "python": sys.version.split()[0],
        "system": f"{stdlib_platform.system()} {stdlib_platform.release()}",
        "singlewindow": _version("singlewindow"),
        "pika": _version("pika"),
        "sqlalchemy": _version("sqlalchemy"),
    }


async def environment(broker: BrokerSettings | None = None, database_url: str | None = None) -> dict[str, Any]:
    found = machine()
    found["rabbitmq"] = await rabbitmq_version(broker) if broker is not None else None
    found["postgresql"] = await postgres_version(database_url) if database_url else None
    return found
