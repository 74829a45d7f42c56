"""Start the stand-in as a separate process (tests and the demo), and wait until it is up."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from singlewindow.adapters.customs.exchange import ExchangeFolder


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
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "singlewindow.adapters.customs.standin", *args)
    try:
        if "--down" not in options:
            async with asyncio.timeout(ready_within):
                while ExchangeFolder(folder).heartbeat_age() is None:
                    if process.returncode is not None:
                        raise RuntimeError(f"customs stand-in exited with {process.returncode}")
                    await asyncio.sleep(0.05)
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                async with asyncio.timeout(10):
                    await process.wait()
            except TimeoutError:
                process.kill()
                await process.wait()
