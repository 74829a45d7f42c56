"""Two ``nsw hub run`` processes on a fresh RabbitMQ vhost and one PostgreSQL database, with agencies.

The vhost is declared with ``nsw topology declare --vhost``; its users are made as ``nsw topology users``
makes them, under per-run names (broker users are global to the node, so fixed names would clash with
other runs). Auto-deciding agencies connect as those agency users. A test chooses, per consignment (UCR),
the policy the agencies apply and which agency refuses the document outright (a poison document); one hub
process can be killed and restarted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from singlewindow.platform.catalogue import Catalogue, load_catalogue
from singlewindow.platform.errors import NotFound
from singlewindow.platform.hub.messages import QUERY_RESPONSE
from singlewindow.platform.hub.schemas import ServiceSchemaSource, build_codec
from singlewindow.platform.routing.loading import shipped_dir
from singlewindow.platform.routing.tables import CATALOGUE_FILE, FILES
from singlewindow.platform.settings import BrokerSettings, Settings
from singlewindow.platform.specs import Catalog
from singlewindow.platform.testing import AutoDecider, accept_all
from singlewindow.platform.testing.autodecide import DecisionPolicy, RevisionPolicy
from singlewindow.platform.topology import build_topology
from singlewindow.platform.topology.management import ManagementClient
from singlewindow.platform.topology.users import ensure_users_rabbitmq
from singlewindow.platform.transport import Delivery, open_transport
from singlewindow.registry.service import RegistryService
from singlewindow.registry.settings import RegistrySettings
from singlewindow.registry.storage.engine import create_engine as create_registry_engine
from singlewindow.registry.storage.store import SchemaStore

AMQP = "amqp://127.0.0.1:5672"
ADMIN_AMQP = "amqp://guest:guest@127.0.0.1:5672"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def routing_dir_with_users(target: Path, suffix: str) -> tuple[Path, Catalogue]:
    """The shipped rules and views, with a catalogue whose broker users carry this run's suffix."""
    target.mkdir(parents=True)
    for name in FILES:
        if name != CATALOGUE_FILE:
            shutil.copyfile(shipped_dir() / name, target / name)
    shipped = json.loads((shipped_dir() / CATALOGUE_FILE).read_text())
    for entry in shipped["recipients"]:
        entry["brokerUser"] = f"{entry['brokerUser']}-t{suffix}"
    (target / CATALOGUE_FILE).write_text(json.dumps(shipped, indent=2))
    return target, load_catalogue(target / CATALOGUE_FILE)


@dataclass
class HubProcess:
    process: subprocess.Popen[str]
    http_url: str
    log: Path
    handle: Any

    def output(self) -> str:
        return self.log.read_text()


@dataclass
class Cluster:
    vhost: str
    database_url: str
    hubs: list[HubProcess]
    passwords: dict[str, str]
    catalogue: Catalogue
    routing_dir: Path
    environment: dict[str, str]
    logs: Path
    killed: list[HubProcess] = field(default_factory=list)

    def kill(self, index: int) -> None:
        """SIGKILL one hub process: no shutdown, whatever it held unacked is redelivered."""
        hub = self.hubs[index]
        hub.process.send_signal(signal.SIGKILL)
        hub.process.wait(10)
        hub.handle.close()
        self.killed.append(hub)

    def restart(self, index: int) -> HubProcess:
        """Start a new process in place of hub ``index`` (killed or stopped before), on new ports."""
        self.hubs[index] = start_hub(self.environment, self.logs / f"hub-{index}-{len(self.killed)}.log")
        return self.hubs[index]

    def admin_environment(self) -> dict[str, str]:
        """Settings for an operator's ``nsw`` command on this vhost and database (``nsw dlq replay``)."""
        return self.environment | {"NSW_BROKER__URL": f"{ADMIN_AMQP}/{self.vhost}"}


def nsw(*args: str, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "singlewindow.platform.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def start_hub(environment: dict[str, str], log: Path) -> HubProcess:
    http_port = free_port()
    handle = log.open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "singlewindow.platform.cli",
            "hub",
            "run",
            "--http-port",
            str(http_port),
            "--grpc-port",
            str(free_port()),
            "--metrics-port",
            "0",
            "--grace",
            "5",
        ],
        env=environment,
        stdout=handle,
        stderr=subprocess.STDOUT,
        text=True,
    )
    hub = HubProcess(process, f"http://127.0.0.1:{http_port}", log, handle)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            handle.close()
            raise AssertionError(f"hub exited with {process.returncode}:\n{hub.output()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{hub.http_url}/healthz", timeout=1).status_code == 200:
                return hub
        time.sleep(0.1)
    process.kill()
    process.wait(10)
    handle.close()
    raise AssertionError(f"hub did not start:\n{hub.output()}")


def stop_hub(hub: HubProcess) -> int:
    if hub.process.poll() is None:
        hub.process.send_signal(signal.SIGTERM)
        try:
            hub.process.wait(30)
        except subprocess.TimeoutExpired:
            hub.process.kill()
            hub.process.wait(10)
    hub.handle.close()
    return hub.process.returncode


@contextlib.contextmanager
def two_hub_cluster(
    database_url: str, workdir: Path, name: str = "nsw-hubs", extra: Mapping[str, str] | None = None
) -> Iterator[Cluster]:
    """Declare a vhost and its users, start two hub processes; stop them (cleanly) and remove it all after."""
    suffix = secrets.token_hex(4)
    vhost = f"{name}-{suffix}"
    routing_dir, catalogue = routing_dir_with_users(workdir / "routing", suffix)
    hub_user = f"nsw-hub-t{suffix}"
    base = {k: v for k, v in os.environ.items() if not k.startswith("NSW_")}
    admin = base | {"NSW_LOG__FORMAT": "json", "NSW_BROKER__URL": AMQP}
    declared = nsw("topology", "declare", "--vhost", vhost, environment=admin)
    # Users are global to the node: the link user is suffixed too, so parallel runs never delete each other's.
    table = build_topology(
        catalogue, Settings().topology, hub_user=hub_user, link_user=lambda key: f"nsw-link-{key}-t{suffix}"
    )
    assert all(suffix in user.name for user in table.users), "only this run's users: they are deleted after"

    async def users() -> dict[str, str]:
        async with ManagementClient.from_settings(BrokerSettings()) as client:
            report = await ensure_users_rabbitmq(table, client, vhost)
        assert report.unchanged == ()
        return {c.user: c.password for c in report.issued}

    async def remove() -> None:
        async with ManagementClient.from_settings(BrokerSettings()) as client:
            with contextlib.suppress(NotFound):
                await client.delete_vhost(vhost)
            for user in table.users:
                with contextlib.suppress(NotFound):
                    await client.delete_user(user.name)

    hubs: list[HubProcess] = []
    try:
        assert declared.returncode == 0, declared.stderr
        passwords = asyncio.run(users())
        environment = base | {
            "NSW_LOG__FORMAT": "json",
            "NSW_BROKER__URL": f"amqp://{hub_user}:{passwords[hub_user]}@127.0.0.1:5672/{vhost}",
            "NSW_DATABASE__URL": database_url,
            "NSW_HUB__ROUTING_DIR": str(routing_dir),
            "NSW_HUB__OUTBOX_POLL_SECONDS": "0.5",
            **(extra or {}),
        }
        # One after the other: the first brings the database schema and the registry tables up to date.
        for index in range(2):
            hubs.append(start_hub(environment, workdir / f"hub-{index}.log"))
        yield Cluster(vhost, database_url, hubs, passwords, catalogue, routing_dir, environment, workdir)
    finally:
        codes = [stop_hub(hub) for hub in hubs]
        asyncio.run(remove())
        for hub, code in zip(hubs, codes, strict=True):
            assert code == 0, f"hub exited with {code}:\n{hub.output()[-4000:]}"
            assert "hub stopped" in hub.output()


@dataclass
class Script:
    """What the agencies do, per consignment (UCR): a policy, a revision, or refusing the document."""

    policies: dict[str, DecisionPolicy] = field(default_factory=dict)
    revisions: dict[str, RevisionPolicy] = field(default_factory=dict)
    poisoned: set[tuple[str, str]] = field(default_factory=set)  # (agency, ucr)

    def policy(self, agency: str, view: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        return self.policies.get(str(view["ucr"]), accept_all)(agency, view)

    def revise(self, agency: str, view: Mapping[str, Any], status: str) -> tuple[float, str, dict[str, Any]] | None:
        rule = self.revisions.get(str(view["ucr"]))
        return rule(agency, view, status) if rule is not None else None


@dataclass
class ScriptedDecider(AutoDecider):
    """An AutoDecider that rejects, without requeue, the documents its script poisons (dead-lettered)."""

    script: Script = field(default_factory=Script)

    async def _on_document(self, delivery: Delivery) -> None:
        if delivery.type != QUERY_RESPONSE and self.script.poisoned:
            view = await self.codec.decode(delivery.type or "", delivery.body)
            if (self.agency, view["ucr"]) in self.script.poisoned:
                await delivery.reject(requeue=False)
                return
        await super()._on_document(delivery)


@contextlib.asynccontextmanager
async def deciders(cluster: Cluster, script: Script | None = None) -> AsyncIterator[dict[str, ScriptedDecider]]:
    """One decider per agency of the catalogue, each under its own broker user, all following ``script``."""
    script = script or Script()
    store = SchemaStore(create_registry_engine(cluster.database_url))
    codec = await build_codec(ServiceSchemaSource(RegistryService(store, RegistrySettings())), Catalog().names())
    started: dict[str, ScriptedDecider] = {}
    try:
        for agency in cluster.catalogue.agencies():
            transport = await open_transport(
                BrokerSettings(url=f"{AMQP}/{cluster.vhost}"),
                username=agency.broker_user,
                password=cluster.passwords[agency.broker_user],
                connection_name=f"test-{agency.id}",
            )
            decider = ScriptedDecider(
                agency.id, agency.broker_user, transport, codec, script.policy, script.revise, script=script
            )
            await decider.start()
            started[agency.id] = decider
        yield started
    finally:
        for decider in started.values():
            await decider.stop()
            await decider.transport.close()
        await store.close()


async def wait_until(condition: Callable[[], Awaitable[bool]], seconds: float, what: str) -> None:
    """Poll ``condition`` every 50 ms until it holds; fail saying ``what`` did not happen."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not within {seconds} s: {what}")
