"""A throwaway RabbitMQ vhost for ``nsw demo --amqp-url``: topology, users with generated passwords and
their permissions, made through the management API as ``nsw topology declare`` and ``users`` do.

Broker users are global to a RabbitMQ node, so the demo's users carry the vhost's random suffix; the hub
catalogue of the demo (a copy of the shipped routing data naming those users) goes with them, so the hub
accepts each stand-in's decisions exactly as it would a real adapter's. Everything is deleted afterwards.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from singlewindow.platform.catalogue import Catalogue, load_catalogue
from singlewindow.platform.errors import ConfigurationError, NotFound, NswError
from singlewindow.platform.routing.loading import shipped_dir
from singlewindow.platform.routing.tables import CATALOGUE_FILE, FILES
from singlewindow.platform.settings import BrokerSettings, TopologySettings
from singlewindow.platform.topology import Topology, build_topology, names
from singlewindow.platform.topology.apply import apply_rabbitmq
from singlewindow.platform.topology.management import ManagementClient
from singlewindow.platform.topology.users import ensure_users_rabbitmq

VHOST_PREFIX = "nsw-demo-"
VERIFY_SETTLE_SECONDS = 0.0
"""Do not wait for the management statistics (up to 5 s behind): a queue whose statistics lag has its
policy name read from the queue record and the policy's definition read directly, so the check holds."""


@dataclass(frozen=True, slots=True)
class DemoVhost:
    vhost: str
    amqp_url: str  # the URL the demo was given, credentials removed
    hub_user: str
    passwords: dict[str, str] = field(repr=False)  # user -> generated password, for this run only
    catalogue: Catalogue
    routing_dir: Path

    def link_user(self, partner: str) -> str:
        """The user ``partner``'s Shovel logs in as to write into this vhost (suffixed like every demo user:
        users are global to a node, and the plain ``nsw-link-<p>`` may belong to a real deployment)."""
        return demo_link_user(self.vhost.removeprefix(VHOST_PREFIX), partner)

    def url_for(self, user: str) -> str:
        """An AMQP URL into the demo vhost as one of its users."""
        parts = urlsplit(self.amqp_url)
        host = parts.hostname or "127.0.0.1"
        netloc = f"{quote(user, safe='')}:{quote(self.passwords[user], safe='')}@{host}" + (
            f":{parts.port}" if parts.port else ""
        )
        return urlunsplit((parts.scheme, netloc, "/" + quote(self.vhost, safe=""), parts.query, ""))


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("amqp", "amqps") or not parts.hostname:
        raise ConfigurationError("--amqp-url must look like amqp://user:pass@host:5672/ (scheme amqp or amqps, a host)")
    netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


def demo_link_user(suffix: str, partner: str) -> str:
    return f"{names.link_user(partner)}-demo-{suffix}"


def _demo_catalogue(suffix: str, source: Path) -> Catalogue:
    shipped = load_catalogue(source / CATALOGUE_FILE)
    recipients = tuple(
        r.model_copy(update={"broker_user": f"{r.broker_user}-demo-{suffix}"}) for r in shipped.recipients
    )
    return shipped.model_copy(update={"recipients": recipients})


def write_routing_dir(target: Path, catalogue: Catalogue, source: Path | None = None) -> Path:
    """The rules and views of ``source`` (the shipped routing data by default) with the demo's catalogue
    beside them (what ``hub.routing_dir`` reads)."""
    source = source or shipped_dir()
    target.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        if name != CATALOGUE_FILE:
            shutil.copyfile(source / name, target / name)
    shipped = json.loads((source / CATALOGUE_FILE).read_text(encoding="utf-8"))
    users = {r.id: r.broker_user for r in catalogue.recipients}
    for entry in shipped["recipients"]:
        entry["brokerUser"] = users[entry["id"]]
    (target / CATALOGUE_FILE).write_text(json.dumps(shipped, indent=2) + "\n", encoding="utf-8")
    return target


@asynccontextmanager
async def demo_vhost(
    broker: BrokerSettings,
    topology: TopologySettings,
    amqp_url: str,
    workdir: Path,
    *,
    keep: bool = False,
    routing_source: Path | None = None,
) -> AsyncIterator[DemoVhost]:
    """A fresh vhost with the hub topology and the demo's users; deleted with its users unless ``keep``.

    ``routing_source`` is the routing data the hub of this vhost runs (the shipped data by default; the
    second country's for the cross-border demo). The link users of its partners are suffixed too
    (``DemoVhost.link_user``): the partner's Shovel must be given that name."""
    base_url = _without_credentials(amqp_url)
    suffix = secrets.token_hex(4)
    vhost = f"{VHOST_PREFIX}{suffix}"
    source = routing_source or shipped_dir()
    catalogue = _demo_catalogue(suffix, source)
    routing_dir = write_routing_dir(workdir / "routing", catalogue, source)
    hub_user = f"nsw-hub-demo-{suffix}"
    table = build_topology(
        catalogue, topology, hub_user=hub_user, link_user=lambda partner: demo_link_user(suffix, partner)
    )
    async with ManagementClient.from_settings(broker) as client:
        try:
            await apply_rabbitmq(table, client, vhost, VERIFY_SETTLE_SECONDS)
            report = await ensure_users_rabbitmq(table, client, vhost)
            if report.unchanged:  # a name clash with a random suffix: refuse rather than guess a password
                raise ConfigurationError(f"demo users already exist: {', '.join(report.unchanged)}")
            passwords = {c.user: c.password for c in report.issued}
            yield DemoVhost(vhost, base_url, hub_user, passwords, catalogue, routing_dir)
        except BaseException:
            if not keep:  # the first error is the one to report; a failing clean-up must not hide it
                with contextlib.suppress(NswError):
                    await _remove(client, vhost, table)
            raise
        if not keep:
            await _remove(client, vhost, table)


async def _remove(client: ManagementClient, vhost: str, table: Topology) -> None:
    """Delete the vhost and this run's users only (random suffix): users are global to the node."""
    with contextlib.suppress(NotFound):
        await client.delete_vhost(vhost)
    for user in table.users:
        with contextlib.suppress(NotFound):
            await client.delete_user(user.name)
