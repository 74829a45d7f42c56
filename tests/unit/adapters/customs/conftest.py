"""The customs system as a separate process, its scripted behaviour, and the hub's permits API on a port."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
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
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.permits import PermitService, PermitStore
from singlewindow.platform.testing import EmbeddedHub

TRADERS = [
    {"id": "180540012345", "aeo": False, "violations": 0},  # apples importer: clean record -> GREEN
    {"id": "120240017788", "aeo": False, "violations": 2},  # laptops importer: 10 + 2 x 15 -> YELLOW
    {"id": "990000000066", "aeo": False, "violations": 4},  # a repeat offender: 60 -> RED
]


@dataclass
class CustomsSystemProcess:
    folder: Path
    control: Path

    def script(self, **changes: Any) -> None:
        write_script(self.control, Script(inspection_seconds=0.3).model_copy(update=changes))


@pytest.fixture
async def customs_system(tmp_path: Path) -> AsyncIterator[CustomsSystemProcess]:
    profile = json.loads((PROFILES / "kz-import.json").read_text())
    profile["randomControl"]["share"] = 0  # no random selection: the channels below are the rules' alone
    (tmp_path / "profile.json").write_text(json.dumps(profile))
    (tmp_path / "traders.json").write_text(json.dumps(TRADERS))
    system = CustomsSystemProcess(tmp_path / "exchange", tmp_path / "control.json")
    system.script()
    options = ["--profile", str(tmp_path / "profile.json"), "--traders", str(tmp_path / "traders.json")]
    async with running_standin(
        system.folder, tmp_path / "customs.db", *options, "--poll-seconds", "0.05", control=system.control
    ):
        yield system


@dataclass
class PermitsApi:
    url: str
    customs_token: str
    service: PermitService
    operator: Principal


@pytest.fixture
async def permits_api(fast_hub: EmbeddedHub) -> AsyncIterator[PermitsApi]:
    hub = fast_hub.hub
    service = PermitService(PermitStore(hub.engine))

    async def auth(header: str | None) -> Principal:
        return await authenticate(hub.principals, header)

    listener = HttpListener(Starlette(routes=permit_routes(service, auth)), "127.0.0.1", 0)
    await listener.start()
    customs = await hub.principals.add("customs-adapter", Role.AGENCY, "customs")
    operator = (await hub.principals.add("operator", Role.OPERATOR)).principal
    try:
        yield PermitsApi(f"http://127.0.0.1:{listener.port}", customs.token, service, operator)
    finally:
        await listener.stop()
