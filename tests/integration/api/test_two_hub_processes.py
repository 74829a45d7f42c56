"""Two ``nsw hub run`` processes on RabbitMQ and one PostgreSQL database: competing consumers.

The vhost is declared with ``nsw topology declare --vhost``; its users are made as ``nsw topology users``
makes them, under per-test names (broker users are global to the node, so fixed names would clash with
other runs). Auto-deciding agencies connect as those agency users; submissions go in through both
processes' HTTP APIs and each reaches exactly one terminal status.
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
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from singlewindow.platform.catalogue import Catalogue, load_catalogue
from singlewindow.platform.errors import NotFound
from singlewindow.platform.hub.schemas import ServiceSchemaSource, build_codec
from singlewindow.platform.identity import PrincipalStore, Role
from singlewindow.platform.routing.loading import shipped_dir
from singlewindow.platform.routing.tables import CATALOGUE_FILE, FILES
from singlewindow.platform.settings import BrokerSettings, Settings
from singlewindow.platform.specs import Catalog
from singlewindow.platform.storage import open_engine
from singlewindow.platform.storage.tables import terminal_statuses
from singlewindow.platform.testing import AutoDecider, accept_all
from singlewindow.platform.topology import build_topology
from singlewindow.platform.topology.management import ManagementClient
from singlewindow.platform.topology.users import ensure_users_rabbitmq
from singlewindow.platform.transport import open_transport
from singlewindow.registry.service import RegistryService
from singlewindow.registry.settings import RegistrySettings
from singlewindow.registry.storage.engine import create_engine as create_registry_engine
from singlewindow.registry.storage.store import SchemaStore

pytestmark = pytest.mark.integration
AMQP = "amqp://127.0.0.1:5672"
EXAMPLES = Catalog().get("consignment").valid_examples
SUBMISSIONS = 12


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def routing_dir_with_users(target: Path, suffix: str) -> tuple[Path, Catalogue]:
    """The shipped rules and views, with a catalogue whose broker users carry this test's suffix."""
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
    environment: dict[str, str]


def _nsw(*args: str, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "singlewindow.platform.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _start_hub(environment: dict[str, str], log: Path) -> HubProcess:
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
        time.sleep(0.2)
    process.kill()
    process.wait(10)
    handle.close()
    raise AssertionError(f"hub did not start:\n{hub.output()}")


def _stop(hub: HubProcess) -> int:
    if hub.process.poll() is None:
        hub.process.send_signal(signal.SIGTERM)
        try:
            hub.process.wait(30)
        except subprocess.TimeoutExpired:
            hub.process.kill()
            hub.process.wait(10)
    hub.handle.close()
    return hub.process.returncode


@pytest.fixture
def cluster(
    rabbitmq_available: None, rabbitmq_management_available: None, fresh_postgres_url: str, tmp_path: Path
) -> Iterator[Cluster]:
    suffix = secrets.token_hex(4)
    vhost = f"nsw-api-{suffix}"
    routing_dir, catalogue = routing_dir_with_users(tmp_path / "routing", suffix)
    hub_user = f"nsw-hub-t{suffix}"
    base = {k: v for k, v in os.environ.items() if not k.startswith("NSW_")}
    admin = base | {"NSW_LOG__FORMAT": "json", "NSW_BROKER__URL": AMQP}
    declared = _nsw("topology", "declare", "--vhost", vhost, environment=admin)
    table = build_topology(catalogue, Settings().topology, hub_user=hub_user)

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
            "NSW_DATABASE__URL": fresh_postgres_url,
            "NSW_HUB__ROUTING_DIR": str(routing_dir),
            "NSW_HUB__OUTBOX_POLL_SECONDS": "0.5",
        }
        # One after the other: the first brings the database schema and the registry tables up to date.
        for index in range(2):
            hubs.append(_start_hub(environment, tmp_path / f"hub-{index}.log"))
        yield Cluster(vhost, fresh_postgres_url, hubs, passwords, catalogue, environment)
    finally:
        codes = [_stop(hub) for hub in hubs]
        asyncio.run(remove())
        for hub, code in zip(hubs, codes, strict=True):
            assert code == 0, f"hub exited with {code}:\n{hub.output()[-4000:]}"
            assert "hub stopped" in hub.output()


@contextlib.asynccontextmanager
async def deciders(cluster: Cluster) -> AsyncIterator[list[AutoDecider]]:
    store = SchemaStore(create_registry_engine(cluster.database_url))
    codec = await build_codec(ServiceSchemaSource(RegistryService(store, RegistrySettings())), Catalog().names())
    started: list[AutoDecider] = []
    try:
        for agency in cluster.catalogue.agencies():
            transport = await open_transport(
                BrokerSettings(url=f"{AMQP}/{cluster.vhost}"),
                username=agency.broker_user,
                password=cluster.passwords[agency.broker_user],
                connection_name=f"test-{agency.id}",
            )
            decider = AutoDecider(agency.id, agency.broker_user, transport, codec, accept_all)
            await decider.start()
            started.append(decider)
        yield started
    finally:
        for decider in started:
            await decider.stop()
            await decider.transport.close()
        await store.close()


def _document(index: int) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(EXAMPLES[index % 3].read_text())  # apples, beef, laptops
    document["traderReference"] = f"TWO-{index:03d}"
    document["ucr"] = f"{document['ucr'][:-3]}{index:03d}"
    return document


async def test_two_processes_share_the_work_and_record_one_terminal_status_each(cluster: Cluster) -> None:
    engine = open_engine(cluster.database_url)
    try:
        token = (await PrincipalStore(engine).add("kz-importer", Role.TRADER)).token
        headers = {"authorization": f"Bearer {token}"}
        async with deciders(cluster), httpx.AsyncClient(timeout=30) as http:
            started = time.monotonic()
            ids = []
            for index in range(SUBMISSIONS):
                hub = cluster.hubs[index % 2]
                response = await http.post(
                    f"{hub.http_url}/v1/submissions",
                    json={"documentType": "consignment", "document": _document(index)},
                    headers=headers,
                )
                assert response.status_code == 201, response.text
                ids.append(response.json()["submission"]["submissionId"])
            final: dict[str, dict[str, Any]] = {}
            deadline = time.monotonic() + 60
            while len(final) < len(ids) and time.monotonic() < deadline:
                for index, submission_id in enumerate(ids):
                    if submission_id not in final:
                        hub = cluster.hubs[(index + 1) % 2]  # read through the other process
                        body = (
                            await http.get(f"{hub.http_url}/v1/submissions/{submission_id}", headers=headers)
                        ).json()
                        if body["terminal"]:
                            final[submission_id] = body
                await asyncio.sleep(0.1)
            elapsed = time.monotonic() - started
            round_trip, extra_id = await _one_round_trip(http, cluster.hubs[0].http_url, headers)
        assert sorted(final) == sorted(ids), f"not terminal after 60 s: {set(ids) - set(final)}"
        assert {body["status"] for body in final.values()} == {"CLEARED"}
        async with engine.connect() as conn:
            counts = dict(
                (
                    await conn.execute(
                        select(terminal_statuses.c.submission_id, func.count()).group_by(
                            terminal_statuses.c.submission_id
                        )
                    )
                ).all()
            )
        assert counts == {submission_id: 1 for submission_id in [*ids, extra_id]}
        for hub in cluster.hubs:  # competing consumers: both processes applied decisions
            assert '"decision applied"' in hub.output(), hub.output()[-2000:]
        print(f"{SUBMISSIONS} submissions through two hub processes cleared in {elapsed:.2f} s")
        print(f"one submit -> CLEARED round trip over HTTP on RabbitMQ: {round_trip * 1000:.0f} ms")
    finally:
        await engine.dispose()


async def _one_round_trip(http: httpx.AsyncClient, url: str, headers: dict[str, str]) -> tuple[float, str]:
    """Seconds from POST to the first GET that shows CLEARED (polled every 5 ms)."""
    started = time.monotonic()
    response = await http.post(
        f"{url}/v1/submissions", json={"documentType": "consignment", "document": _document(999)}, headers=headers
    )
    submission_id = response.json()["submission"]["submissionId"]
    while time.monotonic() - started < 30:
        if (await http.get(f"{url}/v1/submissions/{submission_id}", headers=headers)).json()["status"] == "CLEARED":
            return time.monotonic() - started, submission_id
        await asyncio.sleep(0.005)
    raise AssertionError("the round trip did not clear in 30 s")
