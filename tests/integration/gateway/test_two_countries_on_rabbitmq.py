"""KZ and CN on the real RabbitMQ (issue 13): each hub in its own throwaway vhost under its own users, the
gateways as the partner users, joined by real Shovels (``create_link``, what ``nsw gateway link`` puts) that
write into the other vhost as a link user no publisher is.

The five use cases end as the story expects. What crossed did so without a user_id: the receiving broker
refuses a publish whose user_id is not the Shovel's login, so an envelope that arrived (in the partner's
gateway store, through its crossborder.in queue) carried none. A cut link keeps the manifests in
crossborder.out.cn; restored, each is receipted once and nothing is quarantined."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from singlewindow.adapters.gateway.envelopes import envelope_sha256
from singlewindow.adapters.gateway.signing import canonical
from singlewindow.platform.demo.crossborder import CASES, document, play_crossborder
from singlewindow.platform.errors import NotFound, NswError
from singlewindow.platform.settings import BrokerSettings, Settings
from singlewindow.platform.testing.crossborder import TwoCountries, two_countries
from singlewindow.platform.topology import names
from singlewindow.platform.topology.link import ABSENT, RUNNING, shovel_state
from singlewindow.platform.topology.management import ManagementClient
from singlewindow.platform.transport import OutgoingMessage
from singlewindow.platform.transport.factory import open_transport

pytestmark = pytest.mark.integration

HOST = os.environ.get("NSW_TEST_RABBITMQ_HOST", "127.0.0.1")
PORT = int(os.environ.get("NSW_TEST_RABBITMQ_PORT", "5672"))
MANAGEMENT_URL = os.environ.get("NSW_TEST_RABBITMQ_MANAGEMENT_URL", "http://127.0.0.1:15672")
ADMIN = ("guest", "guest")
CUT_MANIFESTS = 10


async def until(condition: Callable[[], Awaitable[bool]], within: float = 20.0) -> None:
    async with asyncio.timeout(within):
        while True:
            if await condition():
                return
            await asyncio.sleep(0.1)


async def vhost_exists(client: ManagementClient, vhost: str) -> bool:
    try:
        await client.get_vhost(vhost)
    except NotFound:
        return False
    return True


@pytest.fixture
async def pair(
    tmp_path: Path, rabbitmq_available: None, rabbitmq_management_available: None
) -> AsyncIterator[TwoCountries]:
    settings = Settings(
        broker=BrokerSettings(
            management_url=MANAGEMENT_URL,
            heartbeat_seconds=5,
            reconnect_max_seconds=1.0,
        )
    )
    url = f"amqp://{ADMIN[0]}:{ADMIN[1]}@{HOST}:{PORT}/"
    async with ManagementClient(MANAGEMENT_URL, *ADMIN) as client:
        async with two_countries(tmp_path, settings, amqp_url=url) as countries:
            made = {v.vhost for v in countries.vhosts.values()}
            users = {u for v in countries.vhosts.values() for u in v.passwords}
            yield countries
        # Nothing left behind: the two vhosts (their Shovels with them) and every user they made.
        assert [v for v in made if await vhost_exists(client, v)] == []
        assert [u for u in users if await client.get_user(u) is not None] == []


async def test_the_five_cases_cross_real_shovels_and_a_cut_link_loses_nothing(pair: TwoCountries) -> None:
    kz, cn = pair.kz, pair.cn
    kz_vhost, cn_vhost = pair.vhosts["KZ"], pair.vhosts["CN"]
    assert pair.broker is None and kz.vhost == kz_vhost.vhost and cn.vhost == cn_vhost.vhost
    client = pair.links.client  # type: ignore[union-attr]

    results = await play_crossborder(pair)
    assert [r.case.key for r in results] == [c.key for c in CASES]
    assert all(r.ok for r in results), [(r.case.key, [(s.step.file, s.decision) for s in r.steps]) for r in results]

    # Every envelope each side sealed for a submission arrived in the other's gateway store: with a user_id
    # the receiving broker would have refused the Shovel's publish as the link user (not an impersonator),
    # and the envelope would never have arrived.
    crossed = 0
    for step in (s for r in results for s in r.steps):
        home, other = (kz, cn) if step.step.country == "KZ" else (cn, kz)
        sent = await home.gateway.store.sent_for(other.code.lower(), step.submission_id)
        assert sent, step.step.file
        for envelope in sent:
            received = await other.gateway.store.received(home.code.lower(), envelope.envelope_id)
            assert received is not None and received.submission_id == step.partner_submission, step.step.file
            crossed += 1
    assert crossed == sum(len(c.steps) for c in CASES)

    async def all_receipted() -> bool:  # a receipt answers its envelope on its own way back: let it arrive
        kz_left, cn_left = await kz.gateway.store.counts("cn"), await cn.gateway.store.counts("kz")
        return kz_left.unreceipted == 0 and cn_left.unreceipted == 0

    await until(all_receipted)
    kz_counts, cn_counts = await kz.gateway.store.counts("cn"), await cn.gateway.store.counts("kz")
    assert kz_counts.quarantined == 0 and cn_counts.quarantined == 0
    # Whoever writes into CN's crossborder.in.kz is KZ's Shovel as CN's link user for kz; the gateway
    # users of either side have no access to the other's vhost at all.
    link_user = cn_vhost.link_user("kz")
    publishers = {kz_vhost.hub_user, cn_vhost.hub_user}
    publishers |= {r.broker_user for country in (kz, cn) for r in country.embedded.catalogue.recipients}
    assert link_user not in publishers
    connected: set[Any] = set()
    async with asyncio.timeout(15):
        while link_user not in connected:
            connected = {c.get("user") for c in await client.list_connections(cn_vhost.vhost)}
            await asyncio.sleep(0.2)
    kz_gateway_user = kz.embedded.catalogue.get("partner-cn").broker_user
    assert await client.get_permissions(cn_vhost.vhost, kz_gateway_user) is None
    assert await client.get_permissions(kz_vhost.vhost, link_user) is None

    async def in_queue_saw_them() -> bool:  # management statistics lag a few seconds
        stats = (await client.get_queue(cn_vhost.vhost, names.crossborder_in_queue("kz"))).get("message_stats")
        return isinstance(stats, dict) and int(stats.get("publish", 0)) >= kz_counts.sent

    await until(in_queue_saw_them)

    # Cut KZ -> CN: the manifests wait in KZ's crossborder.out.cn, then cross once the Shovel is back.
    await pair.cut(kz)
    assert await shovel_state(client, kz.vhost, "cn") == ABSENT
    manifest = document(next(s for c in CASES for s in c.steps if s.document_type == "cargo-manifest"))
    run = uuid.uuid4().hex[:6].upper()
    submissions = []
    for n in range(CUT_MANIFESTS):
        submissions.append(
            await kz.submit("cargo-manifest", {**manifest, "documentId": f"KZ-MAN-CUT-{run}-{n}"}, f"CUT-{run}-{n}")
        )

    async def waiting_in_out_queue() -> bool:
        queue = await client.get_queue(kz.vhost, names.crossborder_out_queue("cn"))
        return queue.get("messages") == CUT_MANIFESTS

    await until(waiting_in_out_queue)
    # What the Shovel will forward, as KZ's gateway published it: envelopes without a user_id.
    waiting = await client.peek_messages(kz.vhost, names.crossborder_out_queue("cn"), CUT_MANIFESTS)
    assert len(waiting) == CUT_MANIFESTS
    for message in waiting:
        properties = message["properties"]
        assert isinstance(properties, dict) and properties.get("type") == "crossborder-envelope"
        assert "user_id" not in properties, properties
    assert (await cn.gateway.store.counts("kz")).received == cn_counts.received  # none crossed

    await pair.restore(kz)
    assert await shovel_state(client, kz.vhost, "cn") == RUNNING

    async def all_receipted() -> bool:
        for submission in submissions:
            sent = await kz.gateway.store.sent_for("cn", submission)
            if len(sent) != 1 or sent[0].receipt_outcome is None:
                return False
        return True

    await until(all_receipted, within=30)
    envelopes = [(await kz.gateway.store.sent_for("cn", s))[0] for s in submissions]
    assert len({e.envelope_id for e in envelopes}) == CUT_MANIFESTS
    for envelope in envelopes:
        received = await cn.gateway.store.received("kz", envelope.envelope_id)
        assert received is not None and received.submission_id is not None, envelope.envelope_id
    after_kz, after_cn = await kz.gateway.store.counts("cn"), await cn.gateway.store.counts("kz")
    assert after_cn.received == cn_counts.received + CUT_MANIFESTS  # each once, however often it came
    assert after_kz.quarantined == 0 and after_cn.quarantined == 0
    for vhost, partner in ((kz.vhost, "cn"), (cn.vhost, "kz")):
        dlq = await client.get_queue(vhost, names.crossborder_dlq(partner))
        assert dlq.get("messages", 0) == 0

    # A tampered copy of a CN envelope, written into KZ's crossborder.in.cn by the only user allowed to (the
    # link user CN's Shovel logs in as), is quarantined with its reason and submits nothing; a forged
    # user_id is refused by the broker itself.
    tir = next(r for r in results if r.case.key == "tir")
    (original,) = await cn.gateway.store.sent_for("kz", tir.steps[1].submission_id)
    tampered = dict(original.envelope, payload=original.envelope["payload"].replace("XK34567812", "XK34567813"))
    link_into_kz = kz_vhost.link_user("cn")
    settings = BrokerSettings(url=kz_vhost.url_for(link_into_kz), heartbeat_seconds=5, reconnect_max_seconds=1.0)
    async with await open_transport(settings, connection_name="forger") as forger:
        await forger.publish(
            OutgoingMessage(
                exchange=names.crossborder_in_exchange("cn"),
                routing_key="",
                body=canonical(tampered),
                message_id=str(uuid.uuid4()),
                type="crossborder-envelope",
                content_type="application/json",
            )
        )
        with pytest.raises(NswError):
            await forger.publish(
                OutgoingMessage(
                    exchange=names.crossborder_in_exchange("cn"),
                    routing_key="",
                    body=canonical(original.envelope),
                    type="crossborder-envelope",
                    user_id=kz_vhost.hub_user,
                )
            )

    async def quarantined() -> bool:
        return (await kz.gateway.store.counts("cn")).quarantined == 1

    await until(quarantined)
    (entry,) = await kz.gateway.store.quarantined("cn")
    assert entry.reason_code == "ENVELOPE_ID_REUSED", entry  # its id was taken, with other bytes
    kept = await kz.gateway.store.received("cn", original.envelope_id)
    assert kept is not None and kept.envelope_sha256 == envelope_sha256(original.envelope)  # the genuine one stays
