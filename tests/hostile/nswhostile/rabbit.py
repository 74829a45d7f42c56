"""A fresh RabbitMQ vhost with the hub topology declared and broker users unique to one test (users are
global on a node), removed afterwards: the forged-message tests' real-broker variant."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from singlewindow.platform.catalogue import Catalogue, load_catalogue
from singlewindow.platform.errors import NotFound
from singlewindow.platform.routing.loading import shipped_dir
from singlewindow.platform.routing.tables import CATALOGUE_FILE, FILES
from singlewindow.platform.settings import BrokerSettings, HubSettings, Settings, TopologySettings
from singlewindow.platform.topology import build_topology
from singlewindow.platform.topology.apply import declare_rabbitmq
from singlewindow.platform.topology.management import ManagementClient
from singlewindow.platform.topology.users import ensure_users_rabbitmq

HOST = os.environ.get("NSW_TEST_RABBITMQ_HOST", "127.0.0.1")
PORT = int(os.environ.get("NSW_TEST_RABBITMQ_PORT", "5672"))
MANAGEMENT = os.environ.get("NSW_TEST_RABBITMQ_MANAGEMENT_URL", "http://127.0.0.1:15672")


@dataclass
class RabbitVhost:
    settings: Settings  # the hub's: its own user, this vhost, the suffixed catalogue
    catalogue: Catalogue
    passwords: dict[str, str]


@contextlib.asynccontextmanager
async def rabbit_vhost(folder: Path) -> AsyncIterator[RabbitVhost]:
    suffix = uuid.uuid4().hex[:8]
    vhost = f"nsw-test-hostile-{suffix}"
    routing = folder / "routing"
    routing.mkdir(parents=True)
    for name in FILES:
        if name != CATALOGUE_FILE:
            shutil.copyfile(shipped_dir() / name, routing / name)
    shipped = json.loads((shipped_dir() / CATALOGUE_FILE).read_text())
    for entry in shipped["recipients"]:
        entry["brokerUser"] = f"{entry['brokerUser']}-h{suffix}"
    (routing / CATALOGUE_FILE).write_text(json.dumps(shipped))
    catalogue = load_catalogue(routing / CATALOGUE_FILE)
    hub_user = f"nsw-hub-h{suffix}"
    # Users are global to the node: the link user is suffixed too, so parallel runs never delete each other's.
    table = build_topology(
        catalogue, TopologySettings(), hub_user=hub_user, link_user=lambda key: f"nsw-link-{key}-h{suffix}"
    )
    assert all(suffix in user.name for user in table.users), "only this run's users: they are deleted after"
    async with ManagementClient(MANAGEMENT, "guest", "guest") as client:
        await client.put_vhost(vhost)
        await client.put_permissions(vhost, "guest", ".*", ".*", ".*")
        try:
            await declare_rabbitmq(table, client, vhost)
            report = await ensure_users_rabbitmq(table, client, vhost)
            passwords = {c.user: c.password for c in report.issued}
            url = f"amqp://{hub_user}:{quote(passwords[hub_user], safe='')}@{HOST}:{PORT}/{quote(vhost, safe='')}"
            settings = Settings(
                broker=BrokerSettings(url=url, vhost=vhost, management_url=MANAGEMENT, reconnect_max_seconds=1.0),
                hub=HubSettings(routing_dir=routing),
            )
            yield RabbitVhost(settings, catalogue, passwords)
        finally:
            with contextlib.suppress(NotFound):
                await client.delete_vhost(vhost)
            for user in table.users:
                with contextlib.suppress(NotFound):
                    await client.delete_user(user.name)
