"""Helpers for the veterinary, phytosanitary and border guard tests on RabbitMQ: run ``nsw adapter run NAME``
as a separate process under the agency's own broker user, start auto-deciders for the other agencies, wait
for a recipient's state in the hub, serve the hub's agency services behind a switch that makes them answer
what is not JSON (an adapter exception), and run the operator's ``nsw dlq`` commands (issue 12)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from singlewindow.platform.api.agency_services import AgencyServices, build_agency_services
from singlewindow.platform.api.http_server import HttpListener
from singlewindow.platform.hub.views import SubmissionView
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.settings import Settings
from singlewindow.platform.specs import Catalog, DocumentValidator
from singlewindow.platform.testing.autodecide import AutoDecider, accept_all
from singlewindow.platform.testing.embedded import EmbeddedHub
from singlewindow.platform.topology import names

# As in conftest.py (not importable under --import-mode=importlib).
RABBITMQ_HOST = os.environ.get("NSW_TEST_RABBITMQ_HOST", "127.0.0.1")
RABBITMQ_PORT = int(os.environ.get("NSW_TEST_RABBITMQ_PORT", "5672"))
RABBITMQ_MANAGEMENT_URL = os.environ.get("NSW_TEST_RABBITMQ_MANAGEMENT_URL", "http://127.0.0.1:15672")

AGENCIES = ("customs", "border-guard", "veterinary", "phytosanitary", "sanitary")


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


@asynccontextmanager
async def adapter_process(
    name: str,
    agency: str,
    vhost: Any,
    tmp_path: Path,
    adapter: Mapping[str, Any],
    runtime_options: Mapping[str, Any] | None = None,
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``nsw adapter run name`` with ``adapter`` as its [adapter] table, yielded once it consumes (so a
    test's first document meets a running adapter, not one still starting); SIGTERM afterwards."""
    config = tmp_path / f"{name}.toml"
    runtime = {
        "store_url": f"sqlite+aiosqlite:///{tmp_path / f'{name}-store.db'}",
        "failure_threshold": 2,
        "probe_interval_seconds": 0.3,
        "health_timeout_seconds": 2.0,
        **(runtime_options or {}),
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
            await _started(process, log_path)
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


async def _started(process: asyncio.subprocess.Process, log_path: Path) -> None:
    async def consuming() -> bool:
        text = await asyncio.to_thread(log_path.read_text)
        if process.returncode is not None:
            raise AssertionError(f"the adapter process exited: {text[-4000:]}")
        return '"adapter started"' in text

    await until(consuming)


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
    """(effective status, decision) of ``agency``; ("", {}) while the version is not routed yet."""
    entry = next((r for r in view.recipients if r.recipient == agency), None)
    if entry is None:
        return "", {}
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


def status_of(view: SubmissionView) -> str:
    return view.status.value


async def until(condition: Callable[[], Awaitable[bool]], within: float = 60) -> None:
    try:
        async with asyncio.timeout(within):
            while True:
                if await condition():
                    return
                await asyncio.sleep(0.2)
    except TimeoutError:
        raise AssertionError(f"not reached within {within}s") from None


def nsw(vhost: Any, database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """An operator's ``nsw`` command on the test's vhost (administrator) and the embedded hub's database."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NSW_")},
        "NSW_BROKER__URL": f"amqp://guest:guest@{RABBITMQ_HOST}:{RABBITMQ_PORT}/{vhost.vhost}",
        "NSW_BROKER__MANAGEMENT_URL": RABBITMQ_MANAGEMENT_URL,
        "NSW_DATABASE__URL": f"sqlite+aiosqlite:///{database}",
        "NSW_HUB__ROUTING_DIR": str(vhost.routing_dir),
        "NSW_LOG__FORMAT": "json",
    }
    command = [sys.executable, "-m", "singlewindow.platform.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


async def dead_letters(vhost: Any, database: Path, agency: str) -> list[dict[str, Any]]:
    """``nsw dlq show`` of the agency's dead-letter queue, one JSON object per message."""
    shown = await asyncio.to_thread(nsw, vhost, database, "dlq", "show", "--queue", names.dlq(agency))
    assert shown.returncode == 0, shown.stdout + shown.stderr
    return [json.loads(line) for line in shown.stdout.splitlines() if line.startswith("{")]


async def dead_lettered_then_replayed(vhost: Any, database: Path, agency: str, submission_id: str) -> str:
    """Wait until ``nsw dlq show`` lists a message of the submission; its reason, once ``nsw dlq replay`` ran."""

    async def shown() -> bool:
        return any(submission_id in str(m.get("message_id")) for m in await dead_letters(vhost, database, agency))

    await until(shown, within=90)
    (letter,) = [m for m in await dead_letters(vhost, database, agency) if submission_id in str(m.get("message_id"))]
    return str(letter["reason"])


async def replay(vhost: Any, database: Path, agency: str) -> None:
    replayed = await asyncio.to_thread(nsw, vhost, database, "dlq", "replay", "--queue", names.dlq(agency))
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr


class Switchable:
    """An app, or (switched) an answer that is not JSON: the adapter calling it raises on that answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app, self.broken = app, False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.broken and scope["type"] == "http":
            await PlainTextResponse("<html>under maintenance</html>")(scope, receive, send)
            return
        await self.app(scope, receive, send)


@dataclass(frozen=True)
class SwitchableServices:
    url: str
    services: AgencyServices
    switch: Switchable

    async def token(self, hub: EmbeddedHub, name: str, role: Role, agency: str) -> str:
        return (await hub.hub.principals.add(name, role, agency)).token


@asynccontextmanager
async def switchable_agency_services(hub: EmbeddedHub, settings: Settings) -> AsyncIterator[SwitchableServices]:
    """The hub's agency services (officer queue, attachments) over real HTTP, behind a ``Switchable``."""
    services = build_agency_services(hub.hub, settings, DocumentValidator(Catalog()))
    switch = Switchable(Starlette(routes=services.routes()))
    listener = HttpListener(switch, "127.0.0.1", 0, grace_seconds=1)
    await listener.start()
    try:
        yield SwitchableServices(f"http://127.0.0.1:{listener.port}", services, switch)
    finally:
        await listener.stop()


async def withdrawn_by_adapter(tmp_path: Path, name: str, submission_id: str) -> list[str]:
    """Kinds of the notices the adapter process ``name`` passed on for the submission (its own store: the
    withdrawal is recorded as the notice is taken, ``adapter_notices`` once ``cancelled`` returned)."""
    import sqlite3

    path = tmp_path / f"{name}-store.db"

    def read() -> list[str]:
        with sqlite3.connect(path) as db:
            try:
                rows = db.execute(
                    "SELECT w.kind FROM adapter_withdrawals w JOIN adapter_notices n ON n.message_id = w.message_id"
                    " WHERE w.submission_id = ?",
                    (submission_id,),
                )
                return [str(row[0]) for row in rows]
            except sqlite3.OperationalError:  # not migrated yet
                return []

    return await asyncio.to_thread(read)
