"""Shared setup of the customs and sanitary lifecycle tests on RabbitMQ (issue 12): the embedded hub on the
test's vhost, the agency system (stand-in) and ``nsw adapter run`` each a separate process under the
agency's broker user, auto-deciders for the other agencies, and the operator's ``nsw dlq`` commands."""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from singlewindow.adapters.customs.risk_profile import PROFILES
from singlewindow.adapters.customs.standin.process import running_standin as customs_standin
from singlewindow.adapters.customs.standin.script import Script as CustomsScript
from singlewindow.adapters.sanitary.standin.process import running_standin as sanitary_standin
from singlewindow.adapters.sanitary.standin.script import Script as SanitaryScript
from singlewindow.platform.api.auth import authenticate
from singlewindow.platform.api.http_server import HttpListener
from singlewindow.platform.api.permits_http import permit_routes
from singlewindow.platform.hub.views import SubmissionView
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.permits import PermitDraft, PermitKind, PermitService, PermitStore
from singlewindow.platform.testing import EmbeddedHub, consignment_example, embedded_hub
from singlewindow.platform.topology import names

from .agency_run import adapter_process, other_deciders, recipient, wait_for

# As in conftest.py (not importable under --import-mode=importlib).
RABBITMQ_HOST = os.environ.get("NSW_TEST_RABBITMQ_HOST", "127.0.0.1")
RABBITMQ_PORT = int(os.environ.get("NSW_TEST_RABBITMQ_PORT", "5672"))
RABBITMQ_MANAGEMENT_URL = os.environ.get("NSW_TEST_RABBITMQ_MANAGEMENT_URL", "http://127.0.0.1:15672")
ADMIN = ("guest", "guest")
AdapterVhost = Any  # conftest.AdapterVhost

TRADERS = [{"id": "180540012345", "aeo": False, "violations": 0}, {"id": "120240017788", "aeo": False, "violations": 2}]
_references = itertools.count(1)
CONFORMITY = PermitDraft(
    "EAEU KZ.7500525.22.01.00317", PermitKind.CONFORMITY_CERTIFICATE, "120240017788", ("8471",),
    "Laptop computers", Decimal("50000"), "H87", date(2026, 1, 1), date(2027, 12, 31),
)  # fmt: skip


class Switchable:
    """The permits API, or (switched) an answer that is not JSON: the adapter's ``deliver`` raises on it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app, self.broken = app, False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.broken and scope["type"] == "http":
            await PlainTextResponse("<html>register under maintenance</html>")(scope, receive, send)
            return
        await self.app(scope, receive, send)


@dataclass
class Stage:
    hub: EmbeddedHub
    vhost: AdapterVhost
    trader: Principal
    agency: str
    control: Path
    script_model: type[BaseModel]
    script_base: dict[str, Any]
    database_path: Path
    permits: Switchable | None = None
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)

    def script(self, **changes: Any) -> None:
        """Replace the stand-in's control file (base script plus ``changes``), atomically."""
        script = self.script_model.model_validate({**self.script_base, **changes})
        temporary = self.control.with_name(f".{self.control.name}.part")
        temporary.write_text(script.model_dump_json(), encoding="utf-8")
        temporary.replace(self.control)

    async def submit(self, stem: str = "apples") -> str:
        body = copy.deepcopy(consignment_example(stem))
        body["traderReference"] = f"LIFE-{next(_references)}-{body['traderReference']}"[:64]
        view, _ = await self.hub.hub.intake.submit(self.trader, "consignment", body)
        self.documents[view.submission_id] = body
        return view.submission_id

    async def amend(self, submission_id: str, change: Callable[[dict[str, Any]], None]) -> SubmissionView:
        """A new version: the last document sent, changed by ``change``."""
        body = copy.deepcopy(self.documents[submission_id])
        change(body)
        self.documents[submission_id] = body
        return await self.hub.hub.intake.amend(self.trader, submission_id, body)

    async def wait(self, submission_id: str, check: Callable[[SubmissionView], bool]) -> SubmissionView:
        return await wait_for(self.hub, self.trader, submission_id, check, within=60)

    async def wait_status(self, submission_id: str, status: str) -> SubmissionView:
        return await self.wait(submission_id, lambda v: recipient(v, self.agency)[0] == status)

    def mine(self, view: SubmissionView) -> tuple[str, dict[str, Any]]:
        return recipient(view, self.agency)

    def nsw(self, *args: str) -> subprocess.CompletedProcess[str]:
        """An operator's ``nsw`` command on this vhost (administrator) and the embedded hub's database."""
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("NSW_")},
            "NSW_BROKER__URL": f"amqp://{ADMIN[0]}:{ADMIN[1]}@{RABBITMQ_HOST}:{RABBITMQ_PORT}/{self.vhost.vhost}",
            "NSW_BROKER__MANAGEMENT_URL": RABBITMQ_MANAGEMENT_URL,
            "NSW_DATABASE__URL": f"sqlite+aiosqlite:///{self.database_path}",
            "NSW_HUB__ROUTING_DIR": str(self.vhost.routing_dir),
            "NSW_LOG__FORMAT": "json",
        }
        command = [sys.executable, "-m", "singlewindow.platform.cli", *args]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)

    async def dead_letters(self) -> list[dict[str, Any]]:
        shown = await asyncio.to_thread(self.nsw, "dlq", "show", "--queue", names.dlq(self.agency))
        assert shown.returncode == 0, shown.stdout + shown.stderr
        return [json.loads(line) for line in shown.stdout.splitlines() if line.startswith("{")]

    async def until(self, condition: Callable[[], Awaitable[bool]], within: float = 60) -> None:
        async with asyncio.timeout(within):
            while True:
                if await condition():
                    return
                await asyncio.sleep(0.2)


async def _trader(hub: EmbeddedHub) -> Principal:
    return (await hub.hub.principals.add("kz-importer", Role.TRADER)).principal


@asynccontextmanager
async def customs_stage(vhost: AdapterVhost, tmp_path: Path) -> AsyncIterator[Stage]:
    """The customs system, the permits API (switchable to malformed answers), the adapter and the hub."""
    profile = json.loads((PROFILES / "kz-import.json").read_text())
    profile["randomControl"]["share"] = 0
    (tmp_path / "profile.json").write_text(json.dumps(profile))
    (tmp_path / "traders.json").write_text(json.dumps(TRADERS))
    folder, control, database = tmp_path / "exchange", tmp_path / "control.json", tmp_path / "hub.db"
    base = {"inspection_seconds": 0.5}
    options = ["--profile", str(tmp_path / "profile.json"), "--traders", str(tmp_path / "traders.json")]
    async with AsyncExitStack() as stack:
        hub = await stack.enter_async_context(embedded_hub(database, vhost.hub_settings()))
        stage = Stage(hub, vhost, await _trader(hub), "customs", control, CustomsScript, base, database)
        stage.script()
        await stack.enter_async_context(
            customs_standin(folder, tmp_path / "customs.db", *options, "--poll-seconds", "0.1", control=control)
        )
        service = PermitService(PermitStore(hub.hub.engine))
        operator = (await hub.hub.principals.add("ops", Role.OPERATOR)).principal
        await service.issue(operator, CONFORMITY)  # the laptops example cites it

        async def who(header: str | None) -> Principal:
            return await authenticate(hub.hub.principals, header)

        stage.permits = Switchable(Starlette(routes=permit_routes(service, who)))
        listener = HttpListener(stage.permits, "127.0.0.1", 0, grace_seconds=1)
        await listener.start()
        stack.push_async_callback(listener.stop)
        token = (await hub.hub.principals.add("customs-adapter", Role.AGENCY, "customs")).token
        adapter = {
            "exchange_dir": str(folder),
            "poll_seconds": 0.1,
            "heartbeat_timeout_seconds": 1.0,
            "hub_url": f"http://127.0.0.1:{listener.port}",
            "hub_token": token,
        }
        await stack.enter_async_context(adapter_process("customs-edifact", "customs", vhost, tmp_path, adapter))
        await stack.enter_async_context(other_deciders(hub, vhost, "customs"))
        yield stage


@asynccontextmanager
async def sanitary_stage(vhost: AdapterVhost, database_url: str, tmp_path: Path) -> AsyncIterator[Stage]:
    """The legacy system on its PostgreSQL table, the adapter and the hub."""
    control, database = tmp_path / "control.json", tmp_path / "hub.db"
    async with AsyncExitStack() as stack:
        hub = await stack.enter_async_context(embedded_hub(database, vhost.hub_settings()))
        stage = Stage(hub, vhost, await _trader(hub), "sanitary", control, SanitaryScript, {}, database)
        stage.script()
        await stack.enter_async_context(sanitary_standin(database_url, "--poll-seconds", "0.1", control=control))
        adapter = {"database_url": database_url, "poll_seconds": 0.1, "lock_timeout_seconds": 0.5}
        # The breaker stays closed while the table is locked, so a cancellation notice arriving late (a
        # loaded machine) is still taken while the system is down instead of given back behind its document.
        runtime = {"failure_threshold": 20}
        await stack.enter_async_context(
            adapter_process("sanitary-table", "sanitary", vhost, tmp_path, adapter, runtime)
        )
        await stack.enter_async_context(other_deciders(hub, vhost, "sanitary"))
        yield stage
