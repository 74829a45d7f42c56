"""The sanitary adapter end to end on RabbitMQ with the agency's shared table on PostgreSQL: ``nsw adapter
run sanitary-table`` under the sanitary broker user, the legacy system (stand-in) a separate process. It
locks the table while down (maintenance); the adapter's inserts time out, the breaker pauses, nothing is
lost or duplicated when it is back; garbled and duplicated decisions end in one decision."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from singlewindow.adapters.sanitary.database import agency_engine
from singlewindow.adapters.sanitary.standin.process import running_standin
from singlewindow.adapters.sanitary.standin.script import Script, write_script
from singlewindow.adapters.sanitary.table import requests
from singlewindow.platform.hub.views import SubmissionView
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.testing import AutoDecider, EmbeddedHub, accept_all, consignment_example, embedded_hub

pytestmark = pytest.mark.integration
OTHERS = ("border-guard", "phytosanitary", "customs", "veterinary")


def sanitary(view: SubmissionView) -> tuple[str, int | None]:
    recipient = next(r for r in view.recipients if r.recipient == "sanitary")
    return recipient.effective_status, (recipient.decision or {}).get("decisionSequence")


async def wait(hub: EmbeddedHub, trader: Principal, submission: str, check: Callable[[SubmissionView], bool]) -> Any:
    view = await hub.hub.intake.get(trader, submission)
    async with asyncio.timeout(40):
        while not check(view):
            await asyncio.sleep(0.1)
            view = await hub.hub.intake.get(trader, submission)
    return view


async def test_sanitary_adapter_on_rabbitmq_and_postgresql(
    adapter_vhost: Any, fresh_postgres_url: str, tmp_path: Path
) -> None:
    control = tmp_path / "control.json"
    write_script(control, Script(malformed=1, duplicate=True))
    async with (
        running_standin(fresh_postgres_url, "--poll-seconds", "0.1", control=control),
        embedded_hub(tmp_path / "hub.db", adapter_vhost.hub_settings()) as hub,
    ):
        config = tmp_path / "sanitary.toml"
        config.write_text(
            f'[adapter]\ndatabase_url = "{fresh_postgres_url}"\npoll_seconds = 0.1\nlock_timeout_seconds = 0.5\n'
            f'[runtime]\nstore_url = "sqlite+aiosqlite:///{tmp_path / "sanitary-store.db"}"\n'
            "failure_threshold = 1\nprobe_interval_seconds = 0.3\n"
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
            sys.executable, "-m", "singlewindow.platform.cli", "adapter", "run", "sanitary-table",
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
            beef, _ = await hub.hub.intake.submit(trader, "consignment", consignment_example("beef"))
            view = await wait(hub, trader, beef.submission_id, lambda v: v.terminal)
            assert sanitary(view) == ("ACCEPTED_WITH_CONDITIONS", 1)

            write_script(control, Script(down=True))
            await asyncio.sleep(1.0)
            waiting = [
                (await hub.hub.intake.submit(trader, "consignment", {**consignment_example("apples"),
                                                                      "traderReference": f"DOWN-{i}"}))[0]
                for i in range(3)
            ]  # fmt: skip
            await asyncio.sleep(2)
            assert all([sanitary(await hub.hub.intake.get(trader, w.submission_id))[0] == "PENDING" for w in waiting])
            write_script(control, Script())
            for submission in waiting:
                view = await wait(hub, trader, submission.submission_id, lambda v: v.terminal)
                assert sanitary(view) == ("ACCEPTED", 1)
            engine = agency_engine(fresh_postgres_url)
            try:
                async with engine.connect() as conn:
                    count = (await conn.execute(select(func.count()).select_from(requests))).scalar_one()
            finally:
                await engine.dispose()
            assert count == 4
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
            log.close()
            print((tmp_path / "adapter.log").read_text()[-4000:])
