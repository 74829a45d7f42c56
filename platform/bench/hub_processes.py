"""K ``nsw hub run`` processes for the hub bench: started one after the other (the first brings the database
schema up to date), each on free loopback ports, and stopped with SIGTERM (killed if they hang) on the way out,
even when the bench fails. Their output goes to a log file each, quoted when one does not start."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from singlewindow.platform.errors import DependencyUnavailable

START_LIMIT_SECONDS = 90.0
STOP_LIMIT_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True, slots=True)
class HubProcess:
    process: asyncio.subprocess.Process
    http_url: str
    log: Path


def _tail(log: Path) -> str:
    """The end of a hub's log, for the error that says why it did not start."""
    return log.read_text(errors="replace")[-2000:]


def hub_environment(settings: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without any NSW_ variable, plus ``settings``: runs are reproducible."""
    base = {key: value for key, value in os.environ.items() if not key.startswith("NSW_")}
    return base | {"NSW_LOG__LEVEL": "warning", "NSW_LOG__FORMAT": "json"} | dict(settings)


async def _healthy(url: str, process: asyncio.subprocess.Process, log: Path) -> None:
    deadline = time.monotonic() + START_LIMIT_SECONDS
    async with httpx.AsyncClient(timeout=1.0) as http:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise DependencyUnavailable(f"hub exited with {process.returncode}:\n{_tail(log)}")
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"{url}/healthz")).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    raise DependencyUnavailable(f"hub at {url} not healthy within {START_LIMIT_SECONDS:.0f} s:\n{_tail(log)}")


async def _start(environment: Mapping[str, str], log: Path) -> HubProcess:
    http_port = free_port()
    arguments = ["hub", "run", "--http-port", str(http_port), "--grpc-port", str(free_port())]
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "singlewindow.platform.cli",
            *arguments,
            "--metrics-port",
            "0",
            "--grace",
            "5",
            env=dict(environment),
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
        )
    hub = HubProcess(process, f"http://127.0.0.1:{http_port}", log)
    try:
        await _healthy(hub.http_url, process, log)
    except BaseException:
        await _stop(hub)
        raise
    return hub


async def _stop(hub: HubProcess) -> None:
    if hub.process.returncode is not None:
        return
    hub.process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(hub.process.wait(), STOP_LIMIT_SECONDS)
    except TimeoutError:
        hub.process.kill()
        await hub.process.wait()


@asynccontextmanager
async def hub_processes(environment: Mapping[str, str], count: int, folder: Path) -> AsyncIterator[list[HubProcess]]:
    started: list[HubProcess] = []
    try:
        for index in range(count):
            started.append(await _start(environment, folder / f"hub-{index}.log"))
        yield started
    finally:
        await asyncio.gather(*(_stop(hub) for hub in started))
