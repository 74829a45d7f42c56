"""One run of ``nsw demo`` with the real adapters and their stand-ins, shared by the demo's tests (a run
starts four processes and takes seconds), and a check that a run left no stand-in process behind."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from singlewindow.platform.demo import DemoResult, run_demo
from singlewindow.platform.settings import Settings


def processes_using(folder: Path | str) -> list[str]:
    """Command lines of running processes that name ``folder`` (the stand-ins get their files there)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # ended while we looked
            continue
        if str(folder) in command:
            found.append(command)
    return found


@pytest.fixture(scope="session")
def real_demo() -> DemoResult:
    return asyncio.run(run_demo(Settings()))
