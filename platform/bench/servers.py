"""The server processes behind a bench's URLs, found on this machine (benches target only loopback), so their
CPU and memory can be read from /proc like the bench's own processes.

RabbitMQ: the node's Erlang VM (``beam.smp``), whose pid the management API reports for the node it runs on;
where that cannot be read and exactly one ``beam.smp`` runs here, that one. PostgreSQL: the postmaster, the
parent of the backend serving a connection of ours; its children are the other server processes.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.bench.procfs import parent_of, pids_named
from singlewindow.platform.settings import BrokerSettings

BEAM = "beam.smp"


async def _node_pid(broker: BrokerSettings) -> int | None:
    auth = (broker.management_user, broker.management_password.get_secret_value())
    async with httpx.AsyncClient(base_url=f"{broker.management_url.rstrip('/')}/api", auth=auth, timeout=10) as http:
        overview = (await http.get("/overview")).raise_for_status().json()
        node = (await http.get(f"/nodes/{quote(str(overview['node']), safe='')}")).raise_for_status().json()
    pid = node.get("os_pid")
    return int(pid) if pid is not None else None


async def broker_pid(broker: BrokerSettings) -> int | None:
    """The pid of the RabbitMQ node's ``beam.smp``; None when it cannot be told apart."""
    try:
        pid = await _node_pid(broker)
    except (httpx.HTTPError, KeyError, ValueError, TypeError):
        pid = None
    if pid is not None and pid in pids_named(BEAM):
        return pid
    candidates = pids_named(BEAM)
    return candidates[0] if len(candidates) == 1 else None


async def postmaster_pid(engine: AsyncEngine) -> int | None:
    """The pid of the PostgreSQL server ``engine`` connects to (None for other databases or on error)."""
    if engine.dialect.name != "postgresql":
        return None
    try:
        async with engine.connect() as connection:
            backend = int((await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one())
    except (SQLAlchemyError, OSError):
        return None
    return parent_of(backend)
