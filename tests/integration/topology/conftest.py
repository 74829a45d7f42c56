"""A fresh vhost per test with the hub topology declared in it, and broker users unique to the test.

Users are global on a RabbitMQ node, so the test's catalogue and hub user carry a random suffix; the
vhost and every user the test made are deleted afterwards. Nothing else on the shared broker is touched.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from singlewindow.platform.catalogue import Catalogue, load_catalogue
from singlewindow.platform.errors import NotFound
from singlewindow.platform.settings import BrokerSettings, TopologySettings
from singlewindow.platform.topology import Topology, build_topology
from singlewindow.platform.topology.apply import apply_rabbitmq, declare_rabbitmq
from singlewindow.platform.topology.management import ManagementClient
from singlewindow.platform.topology.users import ensure_users_rabbitmq
from singlewindow.platform.transport import RabbitMqTransport, connect

# Same variables as tests/conftest.py (not importable under --import-mode=importlib).
RABBITMQ_HOST = os.environ.get("NSW_TEST_RABBITMQ_HOST", "127.0.0.1")
RABBITMQ_PORT = int(os.environ.get("NSW_TEST_RABBITMQ_PORT", "5672"))
RABBITMQ_MANAGEMENT_URL = os.environ.get("NSW_TEST_RABBITMQ_MANAGEMENT_URL", "http://127.0.0.1:15672")

ADMIN = ("guest", "guest")
SETTLE_SECONDS = 20.0


def short_catalogue(
    suffix: str, *, agencies: tuple[str, ...] | None = None, tiers: tuple[float, ...] = (1, 2)
) -> Catalogue:
    """The shipped catalogue with users unique to one test and short retry tiers."""
    shipped = load_catalogue()
    recipients = tuple(
        r.model_copy(
            update={
                "broker_user": f"{r.broker_user}-{suffix}",
                "retry_tiers": tuple(timedelta(seconds=t) for t in tiers),
            }
        )
        for r in shipped.recipients
        if agencies is None or r.id in agencies
    )
    return shipped.model_copy(update={"recipients": recipients})


@dataclass
class TopologyVhost:
    """One test's vhost: its table, an admin management client, and transports opened in it."""

    vhost: str
    suffix: str
    client: ManagementClient
    broker: BrokerSettings
    table: Topology | None = None
    passwords: dict[str, str] = field(default_factory=dict)
    transports: list[RabbitMqTransport] = field(default_factory=list)
    settle: float = SETTLE_SECONDS

    def catalogue(self, *, agencies: tuple[str, ...] | None = None, tiers: tuple[float, ...] = (1, 2)) -> Catalogue:
        return short_catalogue(self.suffix, agencies=agencies, tiers=tiers)

    def build(self, catalogue: Catalogue, settings: TopologySettings | None = None) -> Topology:
        # Users are global to the node: the link user of a partner in the catalogue is this test's own too.
        self.table = build_topology(
            catalogue,
            settings or TopologySettings(),
            hub_user=f"nsw-hub-{self.suffix}",
            link_user=self.link_user,
        )
        return self.table

    async def declare(self, catalogue: Catalogue | None = None, *, verify: bool = True) -> Topology:
        """Declare the table; tests of message flow skip the read-back (tested on its own, and it waits
        for the management statistics)."""
        table = self.build(catalogue or short_catalogue(self.suffix))
        if verify:
            await apply_rabbitmq(table, self.client, self.vhost, SETTLE_SECONDS)
        else:
            await declare_rabbitmq(table, self.client, self.vhost)
        return table

    def link_user(self, partner: str) -> str:
        """The test's link user of ``partner`` (users are global to the node, so never the plain nsw-link-<p>)."""
        return f"nsw-link-{partner}-{self.suffix}"

    def user(self, agency: str | None = None) -> str:
        """The test's broker user of ``agency`` (or the hub's)."""
        return f"nsw-agency-{agency}-{self.suffix}" if agency else f"nsw-hub-{self.suffix}"

    async def make_users(self) -> dict[str, str]:
        assert self.table is not None
        report = await ensure_users_rabbitmq(self.table, self.client, self.vhost)
        self.passwords.update({c.user: c.password for c in report.issued})
        return self.passwords

    async def open(self, user: str | None = None) -> RabbitMqTransport:
        """A transport as ``user`` (one of the table's) or as the administrator."""
        password = self.passwords[user] if user else ADMIN[1]
        transport = await connect(
            self.broker, vhost=self.vhost, username=user or ADMIN[0], password=password, connection_name="topology-test"
        )
        self.transports.append(transport)
        return transport


@pytest.fixture
async def topology_vhost(rabbitmq_available: None, rabbitmq_management_available: None) -> AsyncIterator[TopologyVhost]:
    suffix = uuid.uuid4().hex[:8]
    vhost = f"nsw-test-topology-{suffix}"
    broker = BrokerSettings(
        url=f"amqp://guest:guest@{RABBITMQ_HOST}:{RABBITMQ_PORT}/",
        management_url=RABBITMQ_MANAGEMENT_URL,
        heartbeat_seconds=5,
        reconnect_max_seconds=1.0,
    )
    async with ManagementClient(RABBITMQ_MANAGEMENT_URL, *ADMIN) as client:
        await client.put_vhost(vhost)
        await client.put_permissions(vhost, ADMIN[0], ".*", ".*", ".*")
        state = TopologyVhost(vhost, suffix, client, broker)
        try:
            yield state
        finally:
            for transport in state.transports:
                await transport.close()
            await client.delete_vhost(vhost)
            for user in state.passwords:  # only the users this test created: users are global
                with contextlib.suppress(NotFound):
                    await client.delete_user(user)
