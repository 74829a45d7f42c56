"""The echo-file adapter end to end on RabbitMQ, run by ``nsw adapter run`` under its agency's own user;
the agency user is refused another agency's inbox and deciding in another agency's name."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from singlewindow.adapters import DecisionDraft, DecisionStatus, Officer
from singlewindow.adapters.sdk.mapping import decision_document
from singlewindow.platform.aggregation import Consolidated
from singlewindow.platform.errors import AccessDenied
from singlewindow.platform.hub.messages import AGENCY_DECISION
from singlewindow.platform.hub.views import SubmissionView
from singlewindow.platform.identity import Role
from singlewindow.platform.settings import BrokerSettings
from singlewindow.platform.state.common import utcnow
from singlewindow.platform.testing import AutoDecider, EmbeddedHub, accept_all, consignment_example, embedded_hub
from singlewindow.platform.topology import names
from singlewindow.platform.transport import Delivery, OutgoingMessage, Transport, connect

pytestmark = pytest.mark.integration


async def _never(delivery: Delivery) -> None:
    raise AssertionError("must not be delivered")


async def _wait(hub: EmbeddedHub, trader: Any, submission: str, check: Callable[[SubmissionView], bool]) -> Any:
    view = await hub.hub.intake.get(trader, submission)
    async with asyncio.timeout(30):
        while not check(view):
            await asyncio.sleep(0.1)
            view = await hub.hub.intake.get(trader, submission)
    return view


def _effective(view: SubmissionView, agency: str) -> str:
    return next(r.effective_status for r in view.recipients if r.recipient == agency)


async def _decider(hub: EmbeddedHub, vhost: Any, agency: str) -> AutoDecider:
    transport = await hub.agency_transport(agency, vhost.password(agency))
    decider = AutoDecider(agency, vhost.catalogue.get(agency).broker_user, transport, hub.hub.codec, accept_all)
    await decider.start()
    return decider


async def _one_from(transport: Transport, queue: str) -> Delivery:
    got: asyncio.Queue[Delivery] = asyncio.Queue()

    async def keep(delivery: Delivery) -> None:
        await delivery.ack()
        await got.put(delivery)

    subscription = await transport.consume(queue, keep, prefetch=1)
    try:
        async with asyncio.timeout(20):
            return await got.get()
    finally:
        await subscription.cancel()


async def test_echo_adapter_under_its_own_user_on_rabbitmq(adapter_vhost: Any, tmp_path: Path) -> None:
    outbox, decisions = tmp_path / "outbox", tmp_path / "decisions"
    outbox.mkdir()
    config = tmp_path / "echo.toml"
    config.write_text(
        f'[adapter]\noutbox_dir = "{outbox}"\ndecisions_dir = "{decisions}"\npoll_seconds = 0.2\n'
        f'[runtime]\nstore_url = "sqlite+aiosqlite:///{tmp_path / "echo-store.db"}"\n'
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NSW_")},
        "NSW_BROKER__URL": adapter_vhost.url(),
        "NSW_HUB__ROUTING_DIR": str(adapter_vhost.routing_dir),
        "NSW_ADAPTER_BROKER_PASSWORD": adapter_vhost.password("sanitary"),
        "NSW_LOG__FORMAT": "json",
    }
    log = (tmp_path / "adapter.log").open("w")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "singlewindow.platform.cli", "adapter", "run", "echo-file", "--config", str(config),
        env=env, stdout=log, stderr=log,
    )  # fmt: skip
    deciders: list[AutoDecider] = []
    try:
        async with embedded_hub(tmp_path / "hub.db", adapter_vhost.hub_settings()) as hub:
            deciders = [await _decider(hub, adapter_vhost, a) for a in ("border-guard", "phytosanitary")]
            trader = (await hub.hub.principals.add("kz-importer", Role.TRADER)).principal
            view, _ = await hub.hub.intake.submit(trader, "consignment", consignment_example("apples"))
            submission = view.submission_id

            await _wait(hub, trader, submission, lambda v: _effective(v, "sanitary") == "DELIVERED")
            (handed_over,) = list(outbox.iterdir())
            assert json.loads(handed_over.read_text())["submissionId"] == submission
            decision_file = decisions / f"{handed_over.name.removesuffix('.json')}--0001.json"
            decision_file.write_text(json.dumps({"status": "ACCEPTED", "officer": {"id": "SES-7"}}))
            view = await _wait(hub, trader, submission, lambda v: _effective(v, "sanitary") == "ACCEPTED")
            assert _effective(view, "customs") == "PENDING"

            sanitary_user = adapter_vhost.catalogue.get("sanitary").broker_user
            customs_user = adapter_vhost.catalogue.get("customs").broker_user
            sanitary = await hub.agency_transport("sanitary", adapter_vhost.password("sanitary"))
            try:
                with pytest.raises(AccessDenied):  # another agency's inbox
                    await sanitary.consume(names.inbox_queue("customs"), _never, prefetch=1)
                draft = DecisionDraft(status=DecisionStatus.ACCEPTED, officer=Officer(id="forger"))
                forged = decision_document("customs", submission, 1, view.ucr, 1, draft, utcnow())
                message = OutgoingMessage(
                    names.DECISIONS_EXCHANGE,
                    names.DECISION_KEY,
                    hub.hub.codec.encode(AGENCY_DECISION, forged),
                    message_id="forged-1",
                    correlation_id=submission,
                    type=AGENCY_DECISION,
                    content_type=hub.hub.codec.content_type,
                )
                with pytest.raises(AccessDenied):  # the broker refuses another agency's user_id
                    await sanitary.publish(_with_user(message, customs_user))
                # Its own user_id, customs' name in the document: the broker lets it through, the hub refuses it.
                await sanitary.publish(_with_user(message, sanitary_user))
            finally:
                await sanitary.close()
            admin = await connect(BrokerSettings(url=adapter_vhost.url("guest", "guest")))
            try:
                refused = await _one_from(admin, names.HUB_DLQ)
            finally:
                await admin.close()
            # Parked by the hub with its reason (issue 11): the sender's validated user_id travels as a header.
            assert (refused.message_id, refused.headers["x-nsw-user-id"]) == ("forged-1", sanitary_user)
            assert refused.headers["x-nsw-reason"].startswith("AccessDenied: ")
            assert _effective(await hub.hub.intake.get(trader, submission), "customs") == "PENDING"

            deciders.append(await _decider(hub, adapter_vhost, "customs"))
            final = await _wait(hub, trader, submission, lambda v: v.terminal)
            assert final.status is Consolidated.CLEARED
            decision = next(r.decision for r in final.recipients if r.recipient == "sanitary")
            assert decision is not None and decision["officer"] == {"id": "SES-7"}
            for decider in deciders:
                await decider.stop()
                await decider.transport.close()
            deciders.clear()
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
    assert '"adapter stopped"' in (tmp_path / "adapter.log").read_text()


def _with_user(message: OutgoingMessage, user: str) -> OutgoingMessage:
    return replace(message, user_id=user)
