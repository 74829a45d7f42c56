"""Fixtures for the transport contract: the same admin verbs on the in-memory broker and on RabbitMQ.

The RabbitMQ leg gets a fresh vhost per test, created (and deleted afterwards, with the users the test
made) through the management HTTP API, never touching anything else on the shared broker.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from singlewindow.platform.settings import BrokerSettings
from singlewindow.platform.transport import MemoryBroker, MemoryTransport, Transport, connect

RABBIT_URL = "amqp://guest:guest@127.0.0.1:5672/"
MANAGEMENT_URL = "http://127.0.0.1:15672"


class Harness:
    """Admin verbs plus transports for one test's vhost; subclasses bind them to a broker."""

    kind: str
    vhost: str

    def __init__(self) -> None:
        self.transports: list[Transport] = []
        self.users: list[str] = []

    async def declare_exchange(self, name: str, type: str, arguments: Mapping[str, Any] | None = None) -> None:
        raise NotImplementedError

    async def declare_queue(self, name: str, arguments: Mapping[str, Any] | None = None) -> None:
        raise NotImplementedError

    async def bind(self, exchange: str, queue: str, routing_key: str) -> None:
        raise NotImplementedError

    async def set_policy(self, name: str, pattern: str, definition: Mapping[str, Any], priority: int = 0) -> None:
        raise NotImplementedError

    async def add_user(self, name: str, password: str, configure: str, write: str, read: str) -> None:
        raise NotImplementedError

    async def open(self, user: str = "guest", password: str = "guest") -> Transport:
        raise NotImplementedError

    async def close(self) -> None:
        for transport in self.transports:
            await transport.close()

    def unique(self, prefix: str) -> str:
        return f"{prefix}-{uuid.uuid4().hex[:8]}"


class MemoryHarness(Harness):
    kind = "memory"

    def __init__(self) -> None:
        super().__init__()
        self.broker = MemoryBroker()
        self.vhost = "test"
        self.broker.add_vhost(self.vhost)
        self.broker.set_permissions(self.vhost, "guest", ".*", ".*", ".*")

    async def declare_exchange(self, name: str, type: str, arguments: Mapping[str, Any] | None = None) -> None:
        self.broker.declare_exchange(self.vhost, name, type, arguments=arguments)

    async def declare_queue(self, name: str, arguments: Mapping[str, Any] | None = None) -> None:
        self.broker.declare_queue(self.vhost, name, arguments)

    async def bind(self, exchange: str, queue: str, routing_key: str) -> None:
        self.broker.bind(self.vhost, exchange, queue, routing_key)

    async def set_policy(self, name: str, pattern: str, definition: Mapping[str, Any], priority: int = 0) -> None:
        self.broker.set_policy(self.vhost, name, pattern, definition, priority=priority)

    async def add_user(self, name: str, password: str, configure: str, write: str, read: str) -> None:
        self.broker.add_user(name, password)
        self.broker.set_permissions(self.vhost, name, configure, write, read)

    async def open(self, user: str = "guest", password: str = "guest") -> Transport:
        transport = MemoryTransport(self.broker, self.vhost, user, password)
        self.transports.append(transport)
        return transport


class RabbitHarness(Harness):
    kind = "rabbitmq"

    def __init__(self, http: httpx.AsyncClient) -> None:
        super().__init__()
        self.http = http
        self.vhost = self.unique("nsw-test-transport")
        self.policies: dict[str, tuple[str, int]] = {}

    def _v(self) -> str:
        return quote(self.vhost, safe="")

    async def _put(self, path: str, body: Mapping[str, Any]) -> None:
        response = await self.http.put(path, json=body)
        assert response.status_code in (201, 204), f"{path}: {response.status_code} {response.text}"

    async def start(self) -> None:
        await self._put(f"/api/vhosts/{self._v()}", {})
        await self._put(f"/api/permissions/{self._v()}/guest", {"configure": ".*", "write": ".*", "read": ".*"})

    async def declare_exchange(self, name: str, type: str, arguments: Mapping[str, Any] | None = None) -> None:
        body = {"type": type, "durable": True, "arguments": dict(arguments or {})}
        await self._put(f"/api/exchanges/{self._v()}/{quote(name, safe='')}", body)

    async def declare_queue(self, name: str, arguments: Mapping[str, Any] | None = None) -> None:
        body = {"durable": True, "auto_delete": False, "arguments": dict(arguments or {})}
        await self._put(f"/api/queues/{self._v()}/{quote(name, safe='')}", body)

    async def bind(self, exchange: str, queue: str, routing_key: str) -> None:
        path = f"/api/bindings/{self._v()}/e/{quote(exchange, safe='')}/q/{quote(queue, safe='')}"
        response = await self.http.post(path, json={"routing_key": routing_key, "arguments": {}})
        assert response.status_code == 201, response.text

    async def set_policy(self, name: str, pattern: str, definition: Mapping[str, Any], priority: int = 0) -> None:
        """Set it, then wait until every queue reports the policy RabbitMQ should pick for it."""
        body = {"pattern": pattern, "definition": dict(definition), "apply-to": "queues", "priority": priority}
        await self._put(f"/api/policies/{self._v()}/{quote(name, safe='')}", body)
        self.policies[name] = (pattern, priority)
        for _ in range(200):
            if await self._policies_applied():
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"policy {name!r} not applied by the broker within 10 s")

    async def _policies_applied(self) -> bool:
        response = await self.http.get(f"/api/queues/{self._v()}", params={"columns": "name,policy"})
        response.raise_for_status()
        for queue in response.json():
            matching = [(-prio, n) for n, (pat, prio) in self.policies.items() if re.search(pat, queue["name"])]
            expected = min(matching)[1] if matching else None
            if queue.get("policy") != expected:
                return False
        return True

    async def add_user(self, name: str, password: str, configure: str, write: str, read: str) -> None:
        await self._put(f"/api/users/{quote(name, safe='')}", {"password": password, "tags": ""})
        self.users.append(name)
        body = {"configure": configure, "write": write, "read": read}
        await self._put(f"/api/permissions/{self._v()}/{quote(name, safe='')}", body)

    async def open(self, user: str = "guest", password: str = "guest") -> Transport:
        settings = BrokerSettings(url=RABBIT_URL, heartbeat_seconds=5, reconnect_max_seconds=1.0)
        transport = await connect(
            settings, vhost=self.vhost, username=user, password=password, publish_timeout=30.0, max_sends=20
        )
        self.transports.append(transport)
        return transport

    async def connection_names(self) -> list[str]:
        """This vhost's open connections as the broker tracks them, at once.

        ``disable_stats=true`` reads RabbitMQ's connection tracking instead of the statistics database, which
        lists a connection only after its first stats emission (up to 5 s late, ``collect_statistics_interval``)
        and keeps listing a closed one until the next. Only the node-wide list honours it (3.10), hence the
        filter on the vhost."""
        response = await self.http.get("/api/connections", params={"disable_stats": "true"})
        response.raise_for_status()
        return [connection["name"] for connection in response.json() if connection["vhost"] == self.vhost]

    async def wait_for_connections(self, count: int) -> None:
        """Until the broker tracks ``count`` connections of this vhost (registered just after their handshake)."""
        for _ in range(300):
            if len(await self.connection_names()) >= count:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"fewer than {count} connections listed for vhost {self.vhost}")

    async def close_vhost_connections(self) -> int:
        """Close every connection of this test's vhost only (never the whole broker)."""
        closed = 0
        for name in await self.connection_names():
            closed += await self.close_connection(name)
        return closed

    async def close_connection(self, name: str) -> bool:
        """Force-close one connection; False if it was gone already. Without ``disable_stats`` the DELETE
        answers 404 for a connection the statistics database does not list yet, and closes nothing."""
        response = await self.http.delete(
            f"/api/connections/{quote(name, safe='')}",
            params={"disable_stats": "true"},
            headers={"X-Reason": "fault test"},
        )
        assert response.status_code in (204, 404), f"closing {name}: {response.status_code} {response.text}"
        return response.status_code == 204

    async def queue_counts(self, queue: str) -> dict[str, Any]:
        response = await self.http.get(f"/api/queues/{self._v()}/{quote(queue, safe='')}")
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    async def queue_consumers(self, queue: str) -> int:
        """Consumers the management API lists on ``queue`` (from the broker's statistics: a few seconds late)."""
        response = await self.http.get(f"/api/consumers/{self._v()}")
        response.raise_for_status()
        return sum(1 for consumer in response.json() if consumer["queue"]["name"] == queue)

    async def close(self) -> None:
        await super().close()
        await self.http.delete(f"/api/vhosts/{self._v()}")
        for user in self.users:
            await self.http.delete(f"/api/users/{quote(user, safe='')}")


@pytest.fixture
async def rabbit_harness(rabbitmq_available: None, rabbitmq_management_available: None) -> AsyncIterator[RabbitHarness]:
    async with httpx.AsyncClient(base_url=MANAGEMENT_URL, auth=("guest", "guest"), timeout=30) as http:
        harness = RabbitHarness(http)
        await harness.start()
        try:
            yield harness
        finally:
            await harness.close()


@pytest.fixture(params=["memory", "rabbitmq"])
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    """Each contract test runs once on the in-memory broker and once on RabbitMQ."""
    if request.param == "memory":
        memory = MemoryHarness()
        try:
            yield memory
        finally:
            await memory.close()
        return
    request.getfixturevalue("rabbitmq_available")
    request.getfixturevalue("rabbitmq_management_available")
    async with httpx.AsyncClient(base_url=MANAGEMENT_URL, auth=("guest", "guest"), timeout=30) as http:
        rabbit = RabbitHarness(http)
        await rabbit.start()
        try:
            yield rabbit
        finally:
            await rabbit.close()
