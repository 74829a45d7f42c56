"""The issue's end-to-end check of extensibility: a third-party adapter for an agency the shipped hub does
not know receives documents once a catalogue entry and a routing rule name that agency and
``nsw topology declare`` has run. Hub in this process, the adapter in its own venv, on RabbitMQ."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from singlewindow.platform.catalogue import load_catalogue
from singlewindow.platform.errors import NotFound
from singlewindow.platform.identity import Role
from singlewindow.platform.settings import BrokerSettings, HubSettings, Settings, TopologySettings
from singlewindow.platform.testing import consignment_example, embedded_hub, short_retry_routing
from singlewindow.platform.topology import build_topology
from singlewindow.platform.topology.management import ManagementClient
from singlewindow.platform.topology.users import ensure_users_rabbitmq

pytestmark = pytest.mark.integration

AGENCY = "port-authority"
# Same variables as tests/conftest.py (conftest modules are not importable under --import-mode=importlib).
RABBITMQ_HOST = os.environ.get("NSW_TEST_RABBITMQ_HOST", "127.0.0.1")
RABBITMQ_PORT = int(os.environ.get("NSW_TEST_RABBITMQ_PORT", "5672"))
RABBITMQ_MANAGEMENT_URL = os.environ.get("NSW_TEST_RABBITMQ_MANAGEMENT_URL", "http://127.0.0.1:15672")
ADMIN = ("guest", "guest")


def add_port_authority(routing: Path, broker_user: str) -> None:
    """What an operator adds for a new agency: its catalogue entry and a rule naming it."""
    catalogue_file, rules_file = routing / "recipients.json", routing / "rules.json"
    catalogue = json.loads(catalogue_file.read_text())
    catalogue["recipients"].append(
        {
            "id": AGENCY,
            "kind": "AGENCY",
            "name": "Port authority",
            "brokerUser": broker_user,
            "view": "view-border-guard",
            "decisionDeadline": "PT1H",
            "retryTiers": ["PT1S", "PT2S"],
        }
    )
    catalogue_file.write_text(json.dumps(catalogue, indent=2))
    rules = json.loads(rules_file.read_text())
    rules["rules"].append(
        {
            "id": "port-authority-every-consignment",
            "description": "The port authority books a berth for every consignment (test agency).",
            "recipients": [AGENCY],
            "when": {"documentTypes": ["consignment"]},
        }
    )
    rules_file.write_text(json.dumps(rules, indent=2))


async def test_a_thirdparty_adapter_receives_documents_for_its_new_agency(
    rabbitmq_available: None, rabbitmq_management_available: None, thirdparty_python: Path, tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:8]
    vhost = f"nsw-test-thirdparty-{suffix}"
    routing = short_retry_routing(tmp_path / "routing", tiers=(1, 2), user_suffix=suffix)
    add_port_authority(routing, f"nsw-agency-{AGENCY}-{suffix}")
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("NSW_")}
    env = {
        **base_env,
        "NSW_HUB__ROUTING_DIR": str(routing),
        "NSW_BROKER__MANAGEMENT_URL": RABBITMQ_MANAGEMENT_URL,
        "NSW_BROKER__URL": f"amqp://{RABBITMQ_HOST}:{RABBITMQ_PORT}/{quote(vhost, safe='')}",
        "PIP_NO_INDEX": "1",
    }
    catalogue = load_catalogue(routing / "recipients.json")
    hub_user = f"nsw-hub-{suffix}"
    passwords: dict[str, str] = {}
    async with ManagementClient(RABBITMQ_MANAGEMENT_URL, *ADMIN) as client:
        try:
            declared = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "singlewindow.platform.cli", "topology", "declare", "--vhost", vhost,
                env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            out, err = await declared.communicate()
            assert declared.returncode == 0, (out + err).decode()
            assert (await client.get_queue(vhost, f"agency.{AGENCY}.inbox"))["name"] == f"agency.{AGENCY}.inbox"
            # Users are global to the node: the link user is suffixed too, so parallel runs never delete each other's.
            table = build_topology(
                catalogue, TopologySettings(), hub_user=hub_user, link_user=lambda key: f"nsw-link-{key}-{suffix}"
            )
            assert all(suffix in user.name for user in table.users), "only this run's users: they are deleted after"
            report = await ensure_users_rabbitmq(table, client, vhost)
            passwords.update({issued.user: issued.password for issued in report.issued})
            await _run_hub_and_adapter(vhost, routing, env, hub_user, passwords, catalogue, thirdparty_python, tmp_path)
        finally:
            with contextlib.suppress(NotFound):
                await client.delete_vhost(vhost)
            for user in passwords:
                with contextlib.suppress(NotFound):
                    await client.delete_user(user)


async def _run_hub_and_adapter(
    vhost: str,
    routing: Path,
    env: dict[str, str],
    hub_user: str,
    passwords: dict[str, str],
    catalogue: Any,
    python: Path,
    tmp_path: Path,
) -> None:
    journal = tmp_path / "berths.jsonl"
    config = tmp_path / "port.toml"
    config.write_text(
        f'[adapter]\njournal = "{journal}"\n[runtime]\nstore_url = "sqlite+aiosqlite:///{tmp_path / "port.db"}"\n'
    )
    adapter_env = {**env, "NSW_ADAPTER_BROKER_PASSWORD": passwords[catalogue.get(AGENCY).broker_user]}
    log = (tmp_path / "adapter.log").open("w")
    process = await asyncio.create_subprocess_exec(
        python, "-m", "singlewindow.platform.cli", "adapter", "run", AGENCY, "--config", str(config),
        env=adapter_env, stdout=log, stderr=log,
    )  # fmt: skip
    url = f"amqp://{quote(hub_user)}:{quote(passwords[hub_user], safe='')}@{RABBITMQ_HOST}:{RABBITMQ_PORT}/"
    broker = BrokerSettings(url=url + quote(vhost, safe=""), vhost=vhost, heartbeat_seconds=5)
    settings = Settings(broker=broker, hub=HubSettings(routing_dir=routing, outbox_poll_seconds=0.2))
    try:
        async with embedded_hub(tmp_path / "hub.db", settings) as hub:
            trader = (await hub.hub.principals.add("kz-importer", Role.TRADER)).principal
            view, _ = await hub.hub.intake.submit(trader, "consignment", consignment_example("apples"))
            async with asyncio.timeout(30):
                while True:
                    current = await hub.hub.intake.get(trader, view.submission_id)
                    states = {r.recipient: r.effective_status for r in current.recipients}
                    if states.get(AGENCY) == "DELIVERED":
                        break
                    await asyncio.sleep(0.1)
        (booking,) = [json.loads(line) for line in journal.read_text().splitlines()]
        assert booking == {"submissionId": view.submission_id, "view": "view-border-guard", "ucr": view.ucr}
        assert process.returncode is None, "the adapter process died early"
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            assert await process.wait() == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        log.close()
        print((tmp_path / "adapter.log").read_text()[-4000:])
