"""A fresh RabbitMQ vhost with the hub topology declared and the broker users created, per test.

Broker users are global on a RabbitMQ node, so the test's catalogue (a copy of the shipped routing data
with short retry tiers) names users with a random suffix; the vhost and those users are deleted after.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import site
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from singlewindow.platform.catalogue import Catalogue, load_catalogue
from singlewindow.platform.errors import NotFound
from singlewindow.platform.settings import BrokerSettings, HubSettings, Settings, TopologySettings
from singlewindow.platform.testing import short_retry_routing
from singlewindow.platform.topology import build_topology
from singlewindow.platform.topology.apply import declare_rabbitmq
from singlewindow.platform.topology.management import ManagementClient
from singlewindow.platform.topology.users import ensure_users_rabbitmq

# Same variables as tests/conftest.py (not importable under --import-mode=importlib).
RABBITMQ_HOST = os.environ.get("NSW_TEST_RABBITMQ_HOST", "127.0.0.1")
RABBITMQ_PORT = int(os.environ.get("NSW_TEST_RABBITMQ_PORT", "5672"))
RABBITMQ_MANAGEMENT_URL = os.environ.get("NSW_TEST_RABBITMQ_MANAGEMENT_URL", "http://127.0.0.1:15672")
ADMIN = ("guest", "guest")
THIRDPARTY = Path(__file__).parent / "thirdparty"
NO_NETWORK = {"PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def run_in(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [str(a) for a in args]
    environment = {**os.environ, **NO_NETWORK, **(env or {})}
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, env=environment)


@pytest.fixture(scope="session")
def thirdparty_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a temporary venv holding the third-party adapter distribution (and seeing this one).

    ``--system-site-packages`` reaches the base interpreter's packages, not this venv's, so a ``.pth`` file
    adds this environment's site-packages (processing their ``.pth`` files: the editable singlewindow).
    Installed with ``--no-deps --no-build-isolation`` from a scratch copy: no network, nothing written
    into the repository.
    """
    root = tmp_path_factory.mktemp("thirdparty")
    venv = root / "venv"
    created = run_in(sys.executable, "-m", "venv", "--system-site-packages", venv)
    assert created.returncode == 0, created.stderr
    python = venv / "bin" / "python"
    found = run_in(python, "-c", "import site; print(site.getsitepackages()[0])")
    (Path(found.stdout.strip()) / "nsw-parent-env.pth").write_text(
        "".join(f"import site; site.addsitedir({path!r})\n" for path in site.getsitepackages())
    )
    source = root / "src"
    shutil.copytree(THIRDPARTY, source)
    installed = run_in(python, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--quiet", source)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return python


@dataclass(frozen=True)
class AdapterVhost:
    vhost: str
    routing_dir: Path
    catalogue: Catalogue
    hub_user: str
    passwords: dict[str, str]

    def url(self, user: str | None = None, password: str | None = None) -> str:
        credentials = f"{quote(user, safe='')}:{quote(password or '', safe='')}@" if user else ""
        return f"amqp://{credentials}{RABBITMQ_HOST}:{RABBITMQ_PORT}/{quote(self.vhost, safe='')}"

    def hub_settings(self) -> Settings:
        """The embedded hub on this vhost, as its own least-privilege user."""
        broker = BrokerSettings(
            url=self.url(self.hub_user, self.passwords[self.hub_user]),
            vhost=self.vhost,
            management_url=RABBITMQ_MANAGEMENT_URL,
            heartbeat_seconds=5,
            reconnect_max_seconds=1.0,
        )
        return Settings(broker=broker, hub=HubSettings(routing_dir=self.routing_dir, outbox_poll_seconds=0.2))

    def password(self, agency: str) -> str:
        return self.passwords[self.catalogue.get(agency).broker_user]


@pytest.fixture
async def adapter_vhost(
    rabbitmq_available: None, rabbitmq_management_available: None, tmp_path: Path
) -> AsyncIterator[AdapterVhost]:
    suffix = uuid.uuid4().hex[:8]
    vhost = f"nsw-test-adapters-{suffix}"
    routing = short_retry_routing(tmp_path / "routing", tiers=(1, 2), user_suffix=suffix)
    catalogue = load_catalogue(routing / "recipients.json")
    hub_user = f"nsw-hub-{suffix}"
    # Users are global to the node: the link user is suffixed too, so parallel runs never delete each other's.
    table = build_topology(
        catalogue, TopologySettings(), hub_user=hub_user, link_user=lambda key: f"nsw-link-{key}-{suffix}"
    )
    assert all(suffix in user.name for user in table.users), "only this run's users: they are deleted after"
    passwords: dict[str, str] = {}
    async with ManagementClient(RABBITMQ_MANAGEMENT_URL, *ADMIN) as client:
        await client.put_vhost(vhost)
        await client.put_permissions(vhost, ADMIN[0], ".*", ".*", ".*")
        try:
            await declare_rabbitmq(table, client, vhost)
            report = await ensure_users_rabbitmq(table, client, vhost)
            passwords.update({issued.user: issued.password for issued in report.issued})
            yield AdapterVhost(vhost, routing, catalogue, hub_user, passwords)
        finally:
            await client.delete_vhost(vhost)
            for user in passwords:  # only the users this test created: users are global
                with contextlib.suppress(NotFound):
                    await client.delete_user(user)
