"""Issue 11, defect 1, on the real RabbitMQ: the veterinary user cannot publish a dead letter at all, and a
dead letter it injects through its own inbox (broker dead-lettered, forged x-death behind the broker's
entry) changes nothing and is parked by the hub, running as its least-privilege user, with its reason."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from singlewindow.platform.catalogue import load_catalogue
from singlewindow.platform.cli.main import cli
from singlewindow.platform.errors import AccessDenied
from singlewindow.platform.hub.messages import HEADER_ATTEMPT, HEADER_RECIPIENT, HEADER_VERSION
from singlewindow.platform.identity import Role
from singlewindow.platform.settings import BrokerSettings, HubSettings, Settings
from singlewindow.platform.specs import Catalog
from singlewindow.platform.testing import EmbeddedHub, embedded_hub
from singlewindow.platform.topology import names
from singlewindow.platform.transport import Delivery, OutgoingMessage, Transport

pytestmark = pytest.mark.integration

ROUTING = Path(__file__).resolve().parents[3] / "message_specs" / "routing"


async def _eventually(check: Callable[[], Awaitable[bool]], seconds: float = 20) -> None:
    for _ in range(int(seconds / 0.2)):
        if await check():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"{check.__name__} not true within {seconds} s")


async def _take(transport: Transport, queue: str) -> Delivery:
    got: asyncio.Queue[Delivery] = asyncio.Queue()

    async def keep(delivery: Delivery) -> None:
        await delivery.ack()
        await got.put(delivery)

    subscription = await transport.consume(queue, keep, prefetch=1)
    try:
        async with asyncio.timeout(15):
            return await got.get()
    finally:
        await subscription.cancel()


@pytest.fixture
async def hub_on_rabbitmq(topology_vhost: Any, tmp_path: Path) -> AsyncIterator[tuple[EmbeddedHub, Any]]:
    """A hub on the test vhost as the table's hub user; the catalogue's users carry the test's suffix."""
    routing = shutil.copytree(ROUTING, tmp_path / "routing")
    recipients = json.loads((routing / "recipients.json").read_text())
    for recipient in recipients["recipients"]:
        recipient["brokerUser"] = f"{recipient['brokerUser']}-{topology_vhost.suffix}"
    (routing / "recipients.json").write_text(json.dumps(recipients))
    await topology_vhost.declare(load_catalogue(routing / "recipients.json"), verify=False)
    passwords = await topology_vhost.make_users()
    hub_user = topology_vhost.user()
    base = topology_vhost.broker.url.split("@", 1)[1].rstrip("/")
    url = f"amqp://{quote(hub_user, safe='')}:{quote(passwords[hub_user], safe='')}@{base}/{topology_vhost.vhost}"
    broker = BrokerSettings(url=url, vhost=topology_vhost.vhost, heartbeat_seconds=5, reconnect_max_seconds=1.0)
    settings = Settings(broker=broker, hub=HubSettings(routing_dir=routing))
    async with embedded_hub(tmp_path / "hub.db", settings) as embedded:
        yield embedded, topology_vhost


async def test_a_forged_dead_letter_is_refused_or_parked_and_changes_nothing(
    hub_on_rabbitmq: tuple[EmbeddedHub, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    embedded, vhost = hub_on_rabbitmq
    hub = embedded.hub
    admin = await vhost.open()
    laptops = next(p for p in Catalog().get("consignment").valid_examples if "laptops" in p.name)
    trader = (await hub.principals.add("kz-electronics", Role.TRADER)).principal
    view, _ = await hub.intake.submit(trader, "consignment", json.loads(laptops.read_text()))
    sid = view.submission_id

    async def delivered_to_customs() -> bool:
        return (await admin.declare_passive(names.inbox_queue("customs"))).message_count == 1

    await _eventually(delivered_to_customs)

    vet_user = f"nsw-agency-veterinary-{vhost.suffix}"
    veterinary = await embedded.agency_transport("veterinary", vhost.passwords[vet_user])
    forged = OutgoingMessage(
        names.dead_letter_exchange("veterinary"),
        "customs",
        b"the veterinary user's body",
        message_id=f"{sid}.v1.customs.a1",  # customs' real delivery
        correlation_id=sid,
        type="view-customs",
        headers={
            HEADER_VERSION: 1,
            HEADER_RECIPIENT: "customs",
            HEADER_ATTEMPT: 1,
            "x-death": [
                {
                    "count": 1,
                    "reason": "rejected",
                    "queue": "agency.customs.inbox",
                    "exchange": "nsw.agency",
                    "routing-keys": ["customs"],
                }
            ],
            "x-first-death-queue": "agency.customs.inbox",
            "x-first-death-reason": "rejected",
            "x-first-death-exchange": "nsw.agency",
        },
    )
    for exchange in ("nsw.dlx.veterinary", "nsw.dlx.customs", "nsw.dlx.hub", ""):
        with pytest.raises(AccessDenied):
            await veterinary.publish(
                OutgoingMessage(exchange, "nsw.deadletters", forged.body, forged.message_id, headers=forged.headers)
            )

    # Into its own inbox through its own retry exchange (allowed), then rejected: the broker dead-letters it.
    injected = OutgoingMessage(
        names.retry_exchange("veterinary"),
        names.DEAD_LETTER_KEY,
        forged.body,
        message_id=forged.message_id,
        correlation_id=sid,
        type=forged.type,
        headers=forged.headers,
    )
    await veterinary.publish(injected)

    async def reject(delivery: Delivery) -> None:
        await delivery.reject(requeue=False)

    rejecting = await veterinary.consume(names.inbox_queue("veterinary"), reject, prefetch=5)

    async def parked_by_the_hub() -> bool:
        return (await admin.declare_passive(names.HUB_DLQ)).message_count == 1

    await _eventually(parked_by_the_hub)
    await rejecting.cancel()

    monkeypatch.setenv("NSW_BROKER__URL", vhost.broker.url)
    monkeypatch.setenv("NSW_BROKER__MANAGEMENT_URL", vhost.broker.management_url)
    command = ["dlq", "show", "--vhost", vhost.vhost, "--queue", names.HUB_DLQ]
    shown = await asyncio.to_thread(CliRunner().invoke, cli, command)
    assert shown.exit_code == 0, shown.output
    record = json.loads(shown.output.strip().splitlines()[0])
    assert record["message_id"] == forged.message_id
    assert "the hub sent no message with this id to veterinary" in record["reason"]
    assert (record["parked_by"], record["origin"]) == ("deadletters", ["nsw.dlx.veterinary", names.DEAD_LETTER_KEY])

    parked = await _take(admin, names.HUB_DLQ)
    assert parked.message_id == forged.message_id
    assert "the hub sent no message with this id to veterinary" in parked.headers["x-nsw-reason"]
    assert parked.headers["x-nsw-parked-by"] == "deadletters"
    # RabbitMQ put its own entry first and left the forged entry and x-first-death-* as they were:
    kept = await _take(admin, names.dlq("veterinary"))
    assert (kept.headers["x-death"][0]["queue"], kept.headers["x-death"][0]["reason"]) == (
        "agency.veterinary.inbox",
        "rejected",
    )
    assert [d["queue"] for d in kept.headers["x-death"]] == ["agency.veterinary.inbox", "agency.customs.inbox"]
    assert kept.headers["x-first-death-queue"] == "agency.customs.inbox"

    current = await hub.intake.get(trader, sid)
    assert {r.recipient: r.effective_status for r in current.recipients}["customs"] == "PENDING"
    assert not any(e.status == "DELIVERY_FAILED" for e in await hub.events.of(sid))
    await veterinary.close()
