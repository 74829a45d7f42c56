"""Start the stand-in as a separate process (tests and the demo), and wait until it is up."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from singlewindow.adapters.customs.exchange import ExchangeFolder
from singlewindow.adapters.standins import running


@contextlib.asynccontextmanager
async def running_standin(
    folder: Path, db: Path, *options: str, control: Path | None = None, ready_within: float = 20.0
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``python -m singlewindow.adapters.customs.standin`` with ``options``; stopped with SIGTERM on exit.

    Ready means its heartbeat file exists (unless it was started ``--down``).
    """
    args = ["--folder", str(folder), "--db", str(db), *options]
    if control is not None:
        args += ["--control", str(control)]

    async def heartbeat() -> bool:
        return ExchangeFolder(folder).heartbeat_age() is not None

    ready = None if "--down" in options else heartbeat
    async with running("singlewindow.adapters.customs.standin", args, ready, ready_within) as process:
        yield process
