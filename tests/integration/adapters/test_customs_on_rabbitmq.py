"""The customs adapter end to end on RabbitMQ: ``nsw adapter run customs-edifact`` under the customs broker
user, the customs system (stand-in) and the adapter each a separate process, the permits register reached
through the hub's HTTP API. Channels GREEN and YELLOW (revised after inspection), a permit written off, the
customs system down for a while and back with nothing lost or duplicated."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette

from singlewindow.adapters.customs.risk_profile import PROFILES
from singlewindow.adapters.customs.standin.process import running_standin
from singlewindow.adapters.customs.standin.script import Script, write_script
from singlewindow.platform.api.auth import authenticate
from singlewindow.platform.api.http_server import HttpListener
from singlewindow.platform.api.permits_http import permit_routes
from singlewindow.platform.hub.views import SubmissionView
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.permits import PermitDraft, PermitKind, PermitService, PermitStore
from singlewindow.platform.testing import AutoDecider, EmbeddedHub, accept_all, consignment_example, embedded_hub

pytestmark = pytest.mark.integration
OTHERS = ("border-guard", "phytosanitary", "sanitary", "veterinary")
TRADERS = [{"id": "180540012345", "aeo": False, "violations": 0}, {"id": "120240017788", "aeo": False, "violations": 2}]


def effective(view: SubmissionView) -> tuple[str, int | None]:
    customs = next(r for r in view.recipients if r.recipient == "customs")
    return customs.effective_status, (customs.decision or {}).get("decisionSequence")


async def wait(hub: EmbeddedHub, trader: Principal, submission: str, check: Callable[[SubmissionView], bool]) -> Any:
    view = await hub.hub.intake.get(trader, submission)
    async with asyncio.timeout(40):
        while not check(view):
            await asyncio.sleep(0.1)
            view = await hub.hub.intake.get(trader, submission)
    return view


async def test_customs_adapter_on_rabbitmq(adapter_vhost: Any, tmp_path: Path) -> None:
    profile = json.loads((PROFILES / "kz-import.json").read_text())
    profile["randomControl"]["share"] = 0
    (tmp_path / "profile.json").write_text(json.dumps(profile))
    (tmp_path / "traders.json").write_text(json.dumps(TRADERS))
    control, folder = tmp_path / "control.json", tmp_path / "exchange"
    write_script(control, Script(inspection_seconds=0.5))
    standin_options = ["--profile", str(tmp_path / "profile.json"), "--traders", str(tmp_path / "traders.json")]
    async with (
        running_standin(folder, tmp_path / "customs.db", *standin_options, "--poll-seconds", "0.1", control=control),
        embedded_hub(tmp_path / "hub.db", adapter_vhost.hub_settings()) as hub,
    ):
        service = PermitService(PermitStore(hub.hub.engine))

        async def who(header: str | None) -> Principal:
            return await authenticate(hub.hub.principals, header)

        listener = HttpListener(Starlette(routes=permit_routes(service, who)), "127.0.0.1", 0, grace_seconds=1)
        await listener.start()
        operator = (await hub.hub.principals.add("ops", Role.OPERATOR)).principal
        token = (await hub.hub.principals.add("customs-adapter", Role.AGENCY, "customs")).token
        conformity = PermitDraft(
            "EAEU KZ.7500525.22.01.00317", PermitKind.CONFORMITY_CERTIFICATE, "120240017788", ("8471",),
            "Laptop computers", Decimal("5000"), "H87", date(2026, 1, 1), date(2027, 12, 31),
        )  # fmt: skip
        await service.issue(operator, conformity)
        config = tmp_path / "customs.toml"
        config.write_text(
            f'[adapter]\nexchange_dir = "{folder}"\npoll_seconds = 0.1\nheartbeat_timeout_seconds = 1.0\n'
            f'hub_url = "http://127.0.0.1:{listener.port}"\nhub_token = "{token}"\n'
            f'[runtime]\nstore_url = "sqlite+aiosqlite:///{tmp_path / "customs-store.db"}"\n'
            "failure_threshold = 1\nprobe_interval_seconds = 0.3\n"
        )
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("NSW_")},
            "NSW_BROKER__URL": adapter_vhost.url(),
            "NSW_HUB__ROUTING_DIR": str(adapter_vhost.routing_dir),
            "NSW_ADAPTER_BROKER_PASSWORD": adapter_vhost.password("customs"),
            "NSW_LOG__FORMAT": "json",
        }
        log = (tmp_path / "adapter.log").open("w")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "singlewindow.platform.cli", "adapter", "run", "customs-edifact",
            "--config", str(config), env=env, stdout=log, stderr=log,
        )  # fmt: skip
        deciders: list[AutoDecider] = []
        try:
            for agency in OTHERS:
                transport = await hub.agency_transport(agency, adapter_vhost.password(agency))
                user = adapter_vhost.catalogue.get(agency).broker_user
                deciders.append(AutoDecider(agency, user, transport, hub.hub.codec, accept_all))
                await deciders[-1].start()
            trader = (await hub.hub.principals.add("kz-importer", Role.TRADER)).principal
            apples, _ = await hub.hub.intake.submit(trader, "consignment", consignment_example("apples"))
            laptops, _ = await hub.hub.intake.submit(trader, "consignment", consignment_example("laptops"))
            green = await wait(hub, trader, apples.submission_id, lambda v: v.terminal)
            assert (green.status.value, effective(green)) == ("CLEARED", ("ACCEPTED", 1))
            decision = next(r.decision for r in green.recipients if r.recipient == "customs")
            assert decision is not None and decision["channel"] == "GREEN"
            yellow = await wait(hub, trader, laptops.submission_id, lambda v: v.terminal)
            assert (yellow.status.value, effective(yellow)) == ("CLEARED", ("ACCEPTED", 2))
            (entry,) = await service.ledger(operator, conformity.number)
            assert (entry.key.submission_id, entry.quantity) == (laptops.submission_id, Decimal("2400.000"))

            # Down for a while: nothing is handed over; back: each is handed over and decided once.
            write_script(control, Script(down=True, inspection_seconds=0.5))
            await asyncio.sleep(1.5)
            waiting = [
                (await hub.hub.intake.submit(trader, "consignment", {**consignment_example("apples"),
                                                                      "traderReference": f"DOWN-{i}"}))[0]
                for i in range(3)
            ]  # fmt: skip
            await asyncio.sleep(2)
            assert all([effective(await hub.hub.intake.get(trader, w.submission_id))[0] == "PENDING" for w in waiting])
            write_script(control, Script(inspection_seconds=0.5))
            for submission in waiting:
                view = await wait(hub, trader, submission.submission_id, lambda v: v.terminal)
                assert effective(view) == ("ACCEPTED", 1)
            assert len(list((folder / "sent").glob("*.json"))) == 5
            assert process.returncode is None, "the adapter process died early"
        finally:
            for decider in deciders:
                await decider.stop()
                await decider.transport.close()
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                try:
                    async with asyncio.timeout(30):
                        await process.wait()
                except TimeoutError:
                    process.kill()
                    await process.wait()
            await listener.stop()
            log.close()
            print((tmp_path / "adapter.log").read_text()[-4000:])
