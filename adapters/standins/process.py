"""Start a stand-in as a separate process (what tests and the demo do), find its port, stop and restart it.

``stop()`` then ``restart()`` is "the agency system is down and comes back": while stopped, connections
are refused; it comes back on the same port with the same database, so nothing it held is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Self

import httpx

_LISTENING = re.compile(rb"listening on (http://\S+?):(\d+)")


async def terminate(process: asyncio.subprocess.Process, grace_seconds: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if it has not stopped within the grace: no stand-in outlives its test or demo."""
    if process.returncode is not None:
        return
    process.terminate()
    try:
        async with asyncio.timeout(grace_seconds):
            await process.wait()
    except TimeoutError:
        process.kill()
        await process.wait()


@contextlib.asynccontextmanager
async def running(
    module: str, arguments: Sequence[str], ready: Callable[[], Awaitable[bool]] | None, within: float = 20.0
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``python -m module arguments``, yielded once ``ready()`` holds (at once when None); stopped on exit."""
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", module, *arguments)
    try:
        if ready is not None:
            async with asyncio.timeout(within):
                while not await ready():
                    if process.returncode is not None:
                        raise RuntimeError(f"{module} exited with {process.returncode}")
                    await asyncio.sleep(0.05)
        yield process
    finally:
        await terminate(process)


class StandinProcess:
    def __init__(self, module: str, db: Path, extra: Sequence[str] = (), script: Mapping[str, Any] | None = None):
        self.module, self.db, self.extra = module, db, tuple(extra)
        self.script = dict(script or {})
        self.port = 0
        self.url = ""
        self._process: asyncio.subprocess.Process | None = None

    @classmethod
    async def start(
        cls, module: str, db: Path, extra: Sequence[str] = (), script: Mapping[str, Any] | None = None
    ) -> Self:
        standin = cls(module, db, extra, script)
        await standin.restart()
        return standin

    async def restart(self, within: float = 20.0) -> None:
        """(Re)start on the port it had (a free one the first time); returns once it listens."""
        arguments = ["-m", self.module, "--port", str(self.port), "--db", str(self.db), *self.extra]
        arguments += ["--script", json.dumps(self.script)]
        self._process = process = await asyncio.create_subprocess_exec(
            sys.executable, *arguments, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
        )
        assert process.stdout is not None
        seen = b""
        async with asyncio.timeout(within):
            while (found := _LISTENING.search(seen)) is None:
                line = await process.stdout.readline()
                if not line:
                    raise RuntimeError(f"stand-in {self.module} exited: {seen.decode(errors='replace')[-2000:]}")
                seen += line
        self.port = int(found.group(2))
        self.url = f"{found.group(1).decode()}:{self.port}"
        asyncio.get_running_loop().create_task(self._drain(process))

    async def stop(self) -> None:
        """SIGTERM and wait: from now on its port refuses connections."""
        process, self._process = self._process, None
        if process is not None:
            await terminate(process)

    async def set_script(self, **script: Any) -> None:
        """Replace the fault script of the running stand-in (and remember it for restarts)."""
        self.script = script
        async with httpx.AsyncClient(base_url=self.url) as http:
            (await http.post("/_script", json=script)).raise_for_status()

    @staticmethod
    async def _drain(process: asyncio.subprocess.Process) -> None:
        """Keep reading its output so a chatty stand-in never blocks on a full pipe."""
        assert process.stdout is not None
        with contextlib.suppress(Exception):
            while await process.stdout.readline():
                pass
