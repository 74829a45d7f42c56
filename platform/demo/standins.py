"""The agency systems of the demo: each stand-in a separate process (``python -m
singlewindow.adapters.<agency>.standin``) with its storage in the demo's folder, started side by side and
stopped (SIGTERM, then SIGKILL) when the demo ends, whatever happened.

Each process writes its output to ``<agency>.log`` in the folder: the HTTP stand-ins announce their port
there (``listening on http://HOST:PORT``), and a stand-in that dies early is reported with the log's tail.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, inspect

from singlewindow.platform.errors import ConfigurationError

READY_SECONDS = 60.0  # starting Python and importing the stand-in; generous for a loaded machine
_LISTENING = re.compile(r"listening on (http://\S+?):(\d+)")


@dataclass
class Standin:
    """One running agency system."""

    agency: str
    module: str
    log: Path
    process: asyncio.subprocess.Process
    url: str = ""  # HTTP stand-ins only
    extra: dict[str, Path] = field(default_factory=dict)

    @property
    def pid(self) -> int:
        return self.process.pid

    def tail(self) -> str:
        with contextlib.suppress(OSError):
            return self.log.read_text(encoding="utf-8", errors="replace")[-1500:]
        return ""


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        async with asyncio.timeout(10):
            await process.wait()
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


async def _wait(standin: Standin, ready: Callable[[], Awaitable[bool]]) -> None:
    try:
        async with asyncio.timeout(READY_SECONDS):
            while not await ready():
                if standin.process.returncode is not None:
                    raise ConfigurationError(
                        f"the {standin.agency} stand-in exited with {standin.process.returncode}:\n{standin.tail()}"
                    )
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise ConfigurationError(f"the {standin.agency} stand-in did not start in {READY_SECONDS:.0f} s") from None


def _listening(standin: Standin) -> Callable[[], Awaitable[bool]]:
    async def ready() -> bool:
        found = _LISTENING.search(standin.tail())
        if found:
            standin.url = f"{found.group(1)}:{found.group(2)}"
        return found is not None

    return ready


def _file_exists(path: Path) -> Callable[[], Awaitable[bool]]:
    async def ready() -> bool:
        return await asyncio.to_thread(path.exists)

    return ready


def _table_exists(database: Path, table: str) -> Callable[[], Awaitable[bool]]:
    def check() -> bool:
        if not database.exists():
            return False
        engine = create_engine(f"sqlite:///{database}")
        try:
            with engine.connect() as conn:
                return inspect(conn).has_table(table)
        finally:
            engine.dispose()

    async def ready() -> bool:
        return await asyncio.to_thread(check)

    return ready


class StandinGroup:
    """Starts stand-ins in the demo's folder; ``standin_group`` stops every one it started on the way out."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[Standin] = []

    async def spawn(self, agency: str, module: str, *arguments: str) -> Standin:
        log = self.folder / f"{agency}-standin.log"
        with log.open("wb") as output:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", module, *arguments, stdout=output, stderr=asyncio.subprocess.STDOUT
            )
        standin = Standin(agency, module, log, process)
        self.started.append(standin)  # from here on it is stopped with the group
        return standin

    async def customs(self, profile: Path, traders: Path, inspection_seconds: float) -> Standin:
        exchange = self.folder / "customs-exchange"
        standin = await self.spawn(
            "customs", "singlewindow.adapters.customs.standin",
            "--folder", str(exchange), "--db", str(self.folder / "customs-system.db"),
            "--profile", str(profile), "--traders", str(traders),
            "--poll-seconds", "0.1", "--inspection-seconds", str(inspection_seconds),
        )  # fmt: skip
        standin.extra["exchange_dir"] = exchange
        return standin

    async def sanitary(self) -> Standin:
        database = self.folder / "sanitary-agency.db"
        standin = await self.spawn(
            "sanitary",
            "singlewindow.adapters.sanitary.standin",
            "--db",
            f"sqlite:///{database}",
            "--poll-seconds",
            "0.1",
        )
        standin.extra["database"] = database
        return standin

    async def veterinary(self, decide_after_seconds: float) -> Standin:
        script = f'{{"decide_after_seconds": {decide_after_seconds}}}'
        return await self.spawn(
            "veterinary", "singlewindow.adapters.veterinary.standin",
            "--port", "0", "--db", str(self.folder / "ched-system.db"), "--script", script,
        )  # fmt: skip

    async def phytosanitary(self) -> Standin:
        return await self.spawn(
            "phytosanitary", "singlewindow.adapters.phytosanitary.standin",
            "--port", "0", "--db", str(self.folder / "plant-protection.db"),
        )  # fmt: skip

    async def ready(self) -> None:
        """Wait for every started stand-in at once (each takes seconds to import on a busy machine)."""
        checks = []
        for standin in self.started:
            if standin.agency == "customs":
                check = _file_exists(standin.extra["exchange_dir"] / "heartbeat")
            elif standin.agency == "sanitary":
                check = _table_exists(standin.extra["database"], "sanitary_requests")
            else:
                check = _listening(standin)
            checks.append(_wait(standin, check))
        await asyncio.gather(*checks)


@asynccontextmanager
async def standin_group(folder: Path) -> AsyncIterator[StandinGroup]:
    """A group whose processes are all stopped when the block ends, even on failure or cancellation."""
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    group = StandinGroup(folder)
    try:
        yield group
    finally:  # all at once: each takes a moment to shut down cleanly
        await asyncio.gather(*(_stop(standin.process) for standin in group.started))
