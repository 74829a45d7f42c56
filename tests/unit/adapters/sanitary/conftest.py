"""The sanitary legacy system as a separate process on its own SQLite database, scripted by a control file."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from singlewindow.adapters.sanitary.standin.process import running_standin
from singlewindow.adapters.sanitary.standin.script import Script, write_script

PERMIT = "KZ.16.01.98.003.E.000123.01.26"


@dataclass
class SanitarySystemProcess:
    url: str
    control: Path

    def script(self, **changes: Any) -> None:
        write_script(self.control, Script().model_copy(update=changes))


@pytest.fixture
async def sanitary_system(tmp_path: Path) -> AsyncIterator[SanitarySystemProcess]:
    (tmp_path / "permits.json").write_text(json.dumps([{"number": PERMIT, "validUntil": "2099-12-31"}]))
    system = SanitarySystemProcess(f"sqlite:///{tmp_path / 'sanitary-agency.db'}", tmp_path / "control.json")
    system.script()
    options = ["--permits", str(tmp_path / "permits.json"), "--poll-seconds", "0.05"]
    async with running_standin(system.url, *options, control=system.control):
        yield system
