"""Helpers for the veterinary, phytosanitary and border guard tests on RabbitMQ: run ``nsw adapter run NAME``
as a separate process under the agency's own broker user, start auto-deciders for the other agencies, and
wait for a recipient's state in the hub."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from singlewindow.platform.hub.views import SubmissionView
from singlewindow.platform.identity import Principal
from singlewindow.platform.testing.autodecide import AutoDecider, accept_all
from singlewindow.platform.testing.embedded import EmbeddedHub

AGENCIES = ("customs", "border-guard", "veterinary", "phytosanitary", "sanitary")


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


@asynccontextmanager
async def adapter_process(
    name: str, agency: str, vhost: Any, tmp_path: Path, adapter: Mapping[str, Any]
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``nsw adapter run name`` with ``adapter`` as its [adapter] table; stopped with SIGTERM afterwards."""
    config = tmp_path / f"{name}.toml"
    runtime = {
        "store_url": f"sqlite+aiosqlite:///{tmp_path / f'{name}-store.db'}",
        "failure_threshold": 2,
        "probe_interval_seconds": 0.3,
        "health_timeout_seconds": 2.0,
    }
    lines = ["[adapter]", *(f"{k} = {toml_value(v)}" for k, v in adapter.items())]
    lines += ["[runtime]", *(f"{k} = {toml_value(v)}" for k, v in runtime.items())]
    config.write_text("\n".join(lines) + "\n")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NSW_")},
        "NSW_BROKER__URL": vhost.url(),
        "NSW_HUB__ROUTING_DIR": str(vhost.routing_dir),
        "NSW_ADAPTER_BROKER_PASSWORD": vhost.password(agency),
        "NSW_LOG__FORMAT": "json",
    }
    log_path = tmp_path / f"{name}.log"
    with log_path.open("w") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "singlewindow.platform.cli", "adapter", "run", name, "--config", str(config),
            env=env, stdout=log, stderr=log,
        )  # fmt: skip
        try:
            yield process
            assert process.returncode is None, "the adapter process died early"
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                try:
                    async with asyncio.timeout(30):
                        await process.wait()
                except TimeoutError:
                    process.kill()
                    await process.wait()
            print(log_path.read_text()[-4000:])


@asynccontextmanager
async def other_deciders(hub: EmbeddedHub, vhost: Any, except_agency: str) -> AsyncIterator[list[AutoDecider]]:
    deciders: list[AutoDecider] = []
    try:
        for agency in AGENCIES:
            if agency == except_agency:
                continue
            transport = await hub.agency_transport(agency, vhost.password(agency))
            user = vhost.catalogue.get(agency).broker_user
            deciders.append(AutoDecider(agency, user, transport, hub.hub.codec, accept_all))
            await deciders[-1].start()
        yield deciders
    finally:
        for decider in deciders:
            await decider.stop()
            await decider.transport.close()


def recipient(view: SubmissionView, agency: str) -> tuple[str, dict[str, Any]]:
    entry = next(r for r in view.recipients if r.recipient == agency)
    return entry.effective_status, dict(entry.decision or {})


async def wait_for(
    hub: EmbeddedHub, trader: Principal, submission_id: str, check: Callable[[SubmissionView], bool], within: float = 40
) -> SubmissionView:
    view = await hub.hub.intake.get(trader, submission_id)
    try:
        async with asyncio.timeout(within):
            while not check(view):
                await asyncio.sleep(0.1)
                view = await hub.hub.intake.get(trader, submission_id)
    except TimeoutError:
        raise AssertionError(f"not reached within {within}s: {view.as_dict()}") from None
    return view


def status_is(agency: str, status: str) -> Callable[[SubmissionView], bool]:
    return lambda view: recipient(view, agency)[0] == status
