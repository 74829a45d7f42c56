"""AMQP over TLS with x509 login on a private node: the hub and an agency connect by certificate; a client
without one, with one from another CA, or speaking plain AMQP to the TLS port is refused, each clearly.

The node (``nswfaults/tls.py``) starts in a few seconds and is shared by the module; it runs in the normal
(CI) run of the fault harness, not only under ``--long``.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from nswfaults.tls import TlsRabbit

from singlewindow.platform.api.assembly import hub_from_settings
from singlewindow.platform.catalogue import load_catalogue
from singlewindow.platform.errors import BrokerUnavailable, ConfigurationError, Unauthenticated
from singlewindow.platform.identity import Role
from singlewindow.platform.settings import (
    BrokerSettings,
    BrokerTlsSettings,
    DatabaseSettings,
    Settings,
    TopologySettings,
)
from singlewindow.platform.testing import consignment_example
from singlewindow.platform.testing.certificates import CertificateFiles, ScratchAuthority
from singlewindow.platform.topology import build_topology, names
from singlewindow.platform.topology.apply import declare_rabbitmq
from singlewindow.platform.topology.management import ManagementClient
from singlewindow.platform.topology.users import ensure_users_rabbitmq
from singlewindow.platform.transport import Delivery, connect

CUSTOMS = "customs"


@dataclass
class Pki:
    home: ScratchAuthority
    foreign: ScratchAuthority
    node: TlsRabbit

    def broker(self, files: CertificateFiles | None, *, ca: Path | None = None) -> BrokerSettings:
        """x509 login with ``files``; without, TLS with no client certificate."""
        tls = BrokerTlsSettings(
            ca_file=ca or self.home.ca_file,
            cert_file=files.cert_file if files else None,
            key_file=files.key_file if files else None,
            login_by_certificate=files is not None,
        )
        return BrokerSettings(
            url=self.node.amqps_url(), management_url=self.node.management_url, tls=tls, reconnect_max_seconds=1
        )


@pytest.fixture(scope="module")
def pki(private_services_possible: None) -> Iterator[Pki]:
    folder = Path(tempfile.mkdtemp(prefix="nswtls-pki-"))
    home, foreign = ScratchAuthority("home", folder), ScratchAuthority("foreign", folder)
    node = TlsRabbit(authority=home, server=home.server())
    try:
        node.prepare()
        node.start()
        yield Pki(home, foreign, node)
    finally:
        node.remove()
        shutil.rmtree(folder, ignore_errors=True)  # the keys go with the run


async def declare_hub_topology(node: TlsRabbit) -> None:
    """The hub's topology and users, as ``nsw topology declare`` makes them (the users' names are the CNs)."""
    topology = build_topology(load_catalogue(), TopologySettings())
    async with ManagementClient(node.management_url, "guest", "guest") as client:
        await declare_rabbitmq(topology, client, "/")
        await ensure_users_rabbitmq(topology, client, "/")


async def test_the_hub_routes_over_tls_and_customs_takes_its_view_as_its_certificate(pki: Pki, tmp_path: Path) -> None:
    await declare_hub_topology(pki.node)
    customs_user = load_catalogue().get(CUSTOMS).broker_user
    settings = Settings(
        broker=pki.broker(pki.home.client(names.HUB_USER)),
        database=DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"),
    )
    async with hub_from_settings(settings) as hub:
        trader = (await hub.principals.add("tls-trader", Role.TRADER)).principal
        view, _ = await hub.intake.submit(trader, "consignment", consignment_example("apples"))
        agency = await connect(pki.broker(pki.home.client(customs_user)), username=customs_user)
        received: asyncio.Queue[Delivery] = asyncio.Queue()

        async def take(delivery: Delivery) -> None:
            await received.put(delivery)
            await delivery.ack()

        try:
            await agency.consume(names.inbox_queue(CUSTOMS), take, prefetch=1)
            delivery = await asyncio.wait_for(received.get(), 20)
            logins = await _logins(pki.node)
        finally:
            await agency.close()
    assert (delivery.properties.correlation_id, agency.user) == (view.submission_id, customs_user)
    assert {(names.HUB_USER, "EXTERNAL", "true"), (customs_user, "EXTERNAL", "true")} <= logins


async def _logins(node: TlsRabbit) -> set[tuple[str, ...]]:
    """(user, SASL mechanism, TLS) of each connection, from the node itself (the HTTP API's figures lag)."""
    listed = await asyncio.to_thread(
        node.ctl, "list_connections", "-q", "--no-table-headers", "user", "auth_mechanism", "ssl"
    )
    return {tuple(line.split("\t")) for line in listed.stdout.splitlines() if line}


async def test_a_client_without_a_certificate_is_refused(pki: Pki) -> None:
    with pytest.raises(Unauthenticated) as refused:
        await connect(pki.broker(None))
    assert refused.value.message == (
        "the broker wants a client certificate and got none: set broker.tls.cert_file and broker.tls.key_file "
        "(tlsv13 alert certificate required)"
    )


async def test_a_certificate_from_another_ca_is_refused(pki: Pki) -> None:
    with pytest.raises(Unauthenticated) as refused:
        await connect(pki.broker(pki.foreign.client(names.HUB_USER)))
    assert refused.value.message == (
        "the broker refused our client certificate (it must be issued by a CA the broker trusts, and valid) "
        "(tlsv1 alert unknown ca)"
    )


async def test_a_broker_certificate_from_another_ca_is_not_trusted(pki: Pki) -> None:
    with pytest.raises(ConfigurationError) as refused:
        await connect(pki.broker(pki.home.client(names.HUB_USER), ca=pki.foreign.ca_file))
    assert refused.value.message == (
        "the broker's certificate is not trusted: it must chain to broker.tls.ca_file and name the URL's host "
        "(certificate verify failed: self-signed certificate in certificate chain)"
    )


async def test_plain_amqp_to_the_tls_port_fails_clearly(pki: Pki) -> None:
    with pytest.raises(BrokerUnavailable) as refused:
        await connect(BrokerSettings(url=f"amqp://guest:guest@localhost:{pki.node.tls_port}/"))
    assert "a TLS listener does that to plain AMQP, which is not TLS (use amqps:// with broker.tls)" in (
        refused.value.message
    )


async def test_nsw_topology_reaches_an_https_management_api_trusting_only_the_broker_ca(pki: Pki) -> None:
    """``nsw topology`` and ``nsw dlq`` use the management API: over https:// it is checked like AMQP."""
    trusting = pki.broker(None).model_copy(update={"management_url": pki.node.management_https_url})
    async with ManagementClient.from_settings(trusting) as client:
        assert (await client.get_vhost("/"))["name"] == "/"
    foreign = pki.broker(None, ca=pki.foreign.ca_file).model_copy(
        update={"management_url": pki.node.management_https_url}
    )
    async with ManagementClient.from_settings(foreign) as client:
        with pytest.raises(BrokerUnavailable) as refused:
            await client.get_vhost("/")
    assert "CERTIFICATE_VERIFY_FAILED" in refused.value.message


async def test_a_certificate_for_a_user_the_broker_does_not_know_is_refused(pki: Pki) -> None:
    with pytest.raises(Unauthenticated) as refused:
        await connect(pki.broker(pki.home.client("nsw-nobody")))
    assert refused.value.message.startswith("broker refused the login: ")
