"""Issue 11, defect 1, on the embedded broker: an agency cannot forge a dead letter for another agency's
recipient, a replay sends the hub's own document whatever the dead letter's body says, and an adapter whose
retries run out still ends DELIVERY_FAILED with the exception as reason and comes back through a replay."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from singlewindow.adapters import Adapter, AdapterContext, DecisionDraft, Handover, InboundDocument, NoConfig, Officer
from singlewindow.platform.aggregation import Consolidated, DecisionStatus
from singlewindow.platform.dlq import replay
from singlewindow.platform.errors import AccessDenied
from singlewindow.platform.hub.consumer import PARKED_BY_HEADER
from singlewindow.platform.hub.messages import HEADER_ATTEMPT, HEADER_RECIPIENT, HEADER_VERSION
from singlewindow.platform.hub.replay import hub_republisher
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.settings import HubSettings, Settings
from singlewindow.platform.specs import Catalog
from singlewindow.platform.testing import EmbeddedHub, embedded_hub
from singlewindow.platform.testing.harness import adapter_harness
from singlewindow.platform.topology import names
from singlewindow.platform.transport import Delivery, MemoryBroker, OutgoingMessage, Transport

ROUTING = Path(__file__).resolve().parents[3] / "message_specs" / "routing"


@dataclass
class Scene:
    embedded: EmbeddedHub
    broker: MemoryBroker
    vhost: str
    trader: Principal
    submission: str

    def messages(self, queue: str) -> list[OutgoingMessage]:
        return self.broker.queue_messages(self.vhost, queue)

    async def status_of(self, recipient: str) -> str:
        view = await self.embedded.hub.intake.get(self.trader, self.submission)
        return next(r.effective_status for r in view.recipients if r.recipient == recipient)


async def _until(condition: Callable[[], Awaitable[bool] | bool], seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.02)):
        outcome = condition()
        if await outcome if isinstance(outcome, Awaitable) else outcome:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not true within {seconds} s")


@pytest.fixture
async def scene(tmp_path: Path) -> AsyncIterator[Scene]:
    """A trader's laptops consignment routed to customs and border guard; no adapter consumes yet."""
    laptops = next(p for p in Catalog().get("consignment").valid_examples if "laptops" in p.name)
    async with embedded_hub(tmp_path / "hub.db") as embedded:
        assert embedded.broker is not None
        trader = (await embedded.hub.principals.add("kz-electronics", Role.TRADER)).principal
        view, _ = await embedded.hub.intake.submit(trader, "consignment", json.loads(laptops.read_text()))
        scene = Scene(embedded, embedded.broker, embedded.broker_settings.vhost, trader, view.submission_id)
        await _until(lambda: len(scene.messages(names.inbox_queue("customs"))) == 1)
        yield scene


def _forged(scene: Scene, message_id: str, exchange: str, routing_key: str) -> OutgoingMessage:
    """A dead letter as the veterinary user would forge it: it names customs' recipient in every header."""
    return OutgoingMessage(
        exchange,
        routing_key,
        b"not the hub's document",
        message_id=message_id,
        correlation_id=scene.submission,
        type="view-customs",
        headers={
            HEADER_VERSION: 1,
            HEADER_RECIPIENT: "customs",
            HEADER_ATTEMPT: 1,
            "x-nsw-reason": "retries-exhausted",
            "x-death": [
                {
                    "queue": "agency.customs.inbox",
                    "reason": "rejected",
                    "count": 1,
                    "exchange": "nsw.agency",
                    "routing-keys": ["customs"],
                }
            ],
            "x-first-death-queue": "agency.customs.inbox",
            "x-first-death-reason": "rejected",
        },
    )


async def _reject_everything(transport: Transport, queue: str) -> Any:
    async def reject(delivery: Delivery) -> None:
        await delivery.reject(requeue=False)

    return await transport.consume(queue, reject, prefetch=10)


async def test_an_agency_may_not_publish_into_any_dead_letter_exchange(scene: Scene) -> None:
    veterinary = await scene.embedded.agency_transport("veterinary")
    customs_delivery = f"{scene.submission}.v1.customs.a1"
    for exchange in ("nsw.dlx.veterinary", "nsw.dlx.customs", "nsw.dlx.hub", ""):
        with pytest.raises(AccessDenied):
            await veterinary.publish(_forged(scene, customs_delivery, exchange, "nsw.deadletters"))
    await veterinary.close()
    assert scene.messages(names.DEADLETTERS_QUEUE) == []
    assert await scene.status_of("customs") == "PENDING"


@pytest.mark.parametrize("message_id", ["{sid}.v1.customs.a1", "{sid}.v1.veterinary.a1", "never-sent"])
async def test_a_dead_letter_injected_through_its_own_inbox_changes_nothing_and_is_parked(
    scene: Scene, message_id: str
) -> None:
    """The broker really dead-letters it, from the veterinary inbox: the hub takes the agency from there,
    and the hub never sent veterinary this message, so nothing is applied; the hub parks it with why."""
    veterinary = await scene.embedded.agency_transport("veterinary")
    wanted = message_id.format(sid=scene.submission)
    await veterinary.publish(_forged(scene, wanted, names.retry_exchange("veterinary"), names.DEAD_LETTER_KEY))
    rejecting = await _reject_everything(veterinary, names.inbox_queue("veterinary"))
    await _until(lambda: len(scene.messages(names.HUB_DLQ)) == 1)
    await rejecting.cancel()
    await veterinary.close()

    [parked] = scene.messages(names.HUB_DLQ)
    assert parked.message_id == wanted
    assert parked.headers[PARKED_BY_HEADER] == "deadletters"
    assert "the hub sent no message with this id to veterinary" in parked.headers["x-nsw-reason"]
    assert parked.headers["x-nsw-original-exchange"] == "nsw.dlx.veterinary"  # where the hub got it
    assert "x-death" not in parked.headers
    # The broker's own entry went to the front; the forged one and x-first-death-* stayed behind.
    [kept] = scene.messages(names.dlq("veterinary"))
    assert kept.headers["x-death"][0]["queue"] == "agency.veterinary.inbox"
    assert kept.headers["x-first-death-queue"] == "agency.customs.inbox"
    assert await scene.status_of("customs") == "PENDING"
    events = await scene.embedded.hub.events.of(scene.submission)
    assert not any(e.status == "DELIVERY_FAILED" for e in events)


async def test_replay_sends_the_hubs_own_document_not_the_tampered_dead_letter(scene: Scene) -> None:
    """Customs swaps the body of its own delivery and dead-letters it: it may fail its own recipient, but the
    operator's replay sends what the hub sent, as a new attempt."""
    [original] = scene.messages(names.inbox_queue("customs"))
    customs = await scene.embedded.agency_transport("customs")

    async def tamper(delivery: Delivery) -> None:
        if delivery.headers.get("x-nsw-dead-letter"):
            await delivery.reject(requeue=False)
            return
        headers = {**delivery.headers, "x-nsw-dead-letter": "tampered", HEADER_RECIPIENT: "border-guard"}
        await customs.publish(
            OutgoingMessage(
                names.retry_exchange("customs"),
                names.DEAD_LETTER_KEY,
                b"tampered body",
                message_id=delivery.message_id,
                correlation_id=delivery.correlation_id,
                type=delivery.type,
                headers=headers,
            )
        )
        await delivery.ack()

    tampering = await customs.consume(names.inbox_queue("customs"), tamper, prefetch=5)
    await _until(lambda: _is(scene.status_of("customs"), "DELIVERY_FAILED"))
    await tampering.cancel()
    assert await scene.status_of("border-guard") == "PENDING"  # the header naming border guard changed nothing
    [dead] = scene.messages(names.dlq("customs"))
    assert dead.body == b"tampered body"

    hub = scene.embedded.hub
    report = await replay(hub.transport, names.dlq("customs"), idle_seconds=2, republish=hub_republisher(hub, "op"))
    assert [message_id for message_id, *_ in report.replayed] == [original.message_id]
    await _until(lambda: len(scene.messages(names.inbox_queue("customs"))) == 1)
    [again] = scene.messages(names.inbox_queue("customs"))
    assert again.message_id == f"{scene.submission}.v1.customs.a2"
    assert again.body == original.body
    assert (again.type, again.headers[HEADER_RECIPIENT], again.headers[HEADER_ATTEMPT]) == (
        "view-customs",
        "customs",
        2,
    )
    assert await scene.status_of("customs") == "PENDING"
    await customs.close()


async def _is(status: Awaitable[str], wanted: str) -> bool:
    return await status == wanted


async def test_replay_leaves_a_message_whose_record_names_another_agency(scene: Scene) -> None:
    """A dead letter in the veterinary DLQ carrying customs' message id is never sent anywhere."""
    veterinary = await scene.embedded.agency_transport("veterinary")
    forged = _forged(scene, f"{scene.submission}.v1.customs.a1", names.retry_exchange("veterinary"), "dead-letter")
    await veterinary.publish(forged)
    rejecting = await _reject_everything(veterinary, names.inbox_queue("veterinary"))
    await _until(lambda: len(scene.messages(names.dlq("veterinary"))) == 1)
    await rejecting.cancel()
    await veterinary.close()

    hub = scene.embedded.hub
    report = await replay(
        hub.transport, names.dlq("veterinary"), idle_seconds=2, republish=hub_republisher(hub, "operator")
    )
    assert report.replayed == []
    [(message_id, error)] = report.failed
    assert message_id == forged.message_id
    assert "was sent to customs but dead-lettered from the veterinary inbox" in error
    await _until(lambda: len(scene.messages(names.dlq("veterinary"))) == 1)  # left in place
    assert len(scene.messages(names.inbox_queue("customs"))) == 1  # only the hub's first delivery
    assert await scene.status_of("customs") == "PENDING"


class Flaky(Adapter[NoConfig]):
    """The sanitary register is offline until ``fixed``; then every document is accepted at once."""

    agency = "sanitary"

    def __init__(self) -> None:
        self.fixed = False

    async def setup(self, context: AdapterContext[NoConfig]) -> None:
        pass

    async def deliver(self, document: InboundDocument) -> Handover:
        if not self.fixed:
            raise RuntimeError("sanitary register offline")
        accepted = DecisionDraft(status=DecisionStatus.ACCEPTED, officer=Officer(id="SES-1", name="Duty officer"))
        return Handover(reference="SES-1", decision=accepted)


async def test_exhausted_retries_fail_the_delivery_with_the_exception_and_a_replay_decides_it(tmp_path: Path) -> None:
    routing = shutil.copytree(ROUTING, tmp_path / "routing")
    catalogue = json.loads((routing / "recipients.json").read_text())
    for recipient in catalogue["recipients"]:
        recipient["retryTiers"] = ["PT1S"]
    (routing / "recipients.json").write_text(json.dumps(catalogue))
    settings = Settings(hub=HubSettings(routing_dir=routing))
    adapter = Flaky()
    async with (
        embedded_hub(tmp_path / "hub.db", settings) as embedded,
        adapter_harness(embedded, adapter, store_url=f"sqlite+aiosqlite:///{tmp_path / 'a.db'}") as harness,
    ):
        assert embedded.broker is not None
        submission = await harness.submit("apples")
        await harness.wait_recipient(submission, "DELIVERY_FAILED")
        [dead] = embedded.broker.queue_messages(embedded.broker_settings.vhost, names.dlq("sanitary"))
        assert dead.headers["x-nsw-reason"] == "RuntimeError: sanitary register offline"
        assert (dead.headers["x-nsw-retries"], dead.headers["x-death"][0]["queue"]) == (2, "agency.sanitary.inbox")

        adapter.fixed = True
        hub = embedded.hub
        republish = hub_republisher(hub, actor="nsw dlq replay")
        report = await replay(hub.transport, names.dlq("sanitary"), idle_seconds=2, republish=republish)
        assert [message_id for message_id, *_ in report.replayed] == [f"{submission}.v1.sanitary.a1"]
        final = await harness.wait_for(submission, lambda view: view.terminal)
        assert final.status is Consolidated.CLEARED
        assert next(r.attempt for r in final.recipients if r.recipient == "sanitary") == 2
        events = await hub.events.of(submission)
        sanitary = [(e.kind, e.status) for e in events if e.recipient == "sanitary"]
        assert sanitary.index(("TRANSPORT", "DELIVERY_FAILED")) < sanitary.index(("REPLAYED", "PENDING"))
        assert sanitary[-1] == ("DECISION", "ACCEPTED")


async def test_what_the_hub_refuses_is_parked_with_its_reason(scene: Scene) -> None:
    """Defect 9 (part): a parked hub dead letter says why the hub refused it, not only the broker's reason."""
    veterinary = await scene.embedded.agency_transport("veterinary")
    unreadable = OutgoingMessage(
        names.DECISIONS_EXCHANGE,
        names.DECISION_KEY,
        b"\x00garbage",
        message_id="d-1",
        type="agency-decision",
        user_id="nsw-agency-veterinary",
    )
    await veterinary.publish(unreadable)
    await veterinary.close()
    await _until(lambda: len(scene.messages(names.HUB_DLQ)) == 1)
    [parked] = scene.messages(names.HUB_DLQ)
    assert parked.message_id == "d-1"
    assert parked.headers[PARKED_BY_HEADER] == "aggregator"
    assert parked.headers["x-nsw-reason"].startswith(("InvalidInput: ", "NotFound: "))
    assert parked.headers["x-nsw-failed-queue"] == names.AGGREGATOR_QUEUE
    assert (parked.headers["x-nsw-original-exchange"], parked.headers["x-nsw-original-routing-key"]) == (
        names.DECISIONS_EXCHANGE,
        names.DECISION_KEY,
    )
