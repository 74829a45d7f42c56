"""Bench work in processes of its own (``python -m`` modules), and the small protocol both sides speak.

The parent writes at most one JSON line of configuration on the child's stdin (secrets stay out of ``ps``)
and keeps the pipe open; the child answers with JSON lines on stdout (``ready``, its result) and logs to
stderr, which goes to a file quoted when the child fails. The child stops when its stdin closes: when the
parent stops it, and also when the parent dies (Ctrl-C, SIGKILL), so nothing outlives a bench run.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import AsyncIterator, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from singlewindow.platform.errors import DependencyUnavailable

STOP_LIMIT_SECONDS = 15.0
LINE_LIMIT = 1 << 20  # a child's result line (e.g. the ids a collector counted) may be long


@dataclass(frozen=True, slots=True)
class Child:
    label: str
    process: asyncio.subprocess.Process
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def _tail(self) -> str:
        with contextlib.suppress(OSError):
            return self.log.read_text(errors="replace")[-2000:]
        return ""

    async def answer(self, limit_seconds: float) -> dict[str, Any]:
        """The child's next JSON line; DependencyUnavailable (with its log's end) if it exits or stays silent."""
        assert self.process.stdout is not None
        try:
            raw = await asyncio.wait_for(self.process.stdout.readline(), limit_seconds)
        except TimeoutError:
            raise DependencyUnavailable(
                f"{self.label}: no answer within {limit_seconds:.0f} s:\n{self._tail()}"
            ) from None
        if not raw:
            code = await self.process.wait()
            raise DependencyUnavailable(f"{self.label} exited with {code}:\n{self._tail()}")
        answer: dict[str, Any] = json.loads(raw)
        return answer

    async def stop(self) -> None:
        """Close its stdin (the child's signal to finish), wait, kill it if it hangs."""
        if self.process.stdin is not None and not self.process.stdin.is_closing():
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), STOP_LIMIT_SECONDS)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
            await self.process.wait()


async def start_child(
    label: str,
    module: str,
    arguments: Sequence[str],
    environment: Mapping[str, str],
    log: Path,
    config: Mapping[str, Any] | None = None,
) -> Child:
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            module,
            *arguments,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=output,
            env=dict(environment),
            limit=LINE_LIMIT,
        )
    child = Child(label, process, log)
    if config is not None:
        assert process.stdin is not None
        process.stdin.write(json.dumps(config).encode() + b"\n")
        await process.stdin.drain()
    return child


@asynccontextmanager
async def child_group() -> AsyncIterator[list[Child]]:
    """A list to append started children to; every one of them is stopped on the way out, even on failure."""
    children: list[Child] = []
    try:
        yield children
    finally:
        await asyncio.gather(*(child.stop() for child in children), return_exceptions=True)


# The child's side.


def read_config() -> dict[str, Any]:
    """The one configuration line the parent wrote. Ctrl-C in the terminal reaches the whole process group:
    a child ignores it and lets the parent stop it in order (or finds its stdin closed if the parent died)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    line = sys.stdin.buffer.readline()
    if not line:
        raise SystemExit("no configuration on stdin")
    config: dict[str, Any] = json.loads(line)
    return config


def stdin_closed() -> asyncio.Event:
    """Set once the parent closes this process's stdin (or dies)."""
    closed = asyncio.Event()
    loop = asyncio.get_running_loop()
    fd = sys.stdin.fileno()

    def readable() -> None:
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        if not data:
            loop.remove_reader(fd)
            closed.set()

    loop.add_reader(fd, readable)
    return closed


async def until_closed(work: Coroutine[Any, Any, None], closed: asyncio.Event) -> None:
    """Run ``work`` unless stdin closes first (then cancel it): a child never outlives its parent's interest."""
    task = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(closed.wait())
    await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
    for pending in (task, watcher):
        pending.cancel()
    await asyncio.gather(task, watcher, return_exceptions=True)
    if not task.cancelled():
        task.result()  # the work's own failure, if it failed


def say(**fields: Any) -> None:
    """One JSON line to the parent."""
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()
