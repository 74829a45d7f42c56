"""What every command needs: the settings built by the group, and a way to run a coroutine."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
import uvloop
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform import collector
from singlewindow.platform.errors import InvalidInput, NswError
from singlewindow.platform.settings import Settings
from singlewindow.platform.storage import open_engine, upgrade

T = TypeVar("T")
C = TypeVar("C")


def settings_of(ctx: click.Context) -> Settings:
    settings = ctx.find_root().obj
    assert isinstance(settings, Settings)
    return settings


EVENT_LOOPS = ("uvloop", "asyncio")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine on uvloop (libuv: about 13 % less hub CPU per submission in ``nsw bench
    pipeline``), or on the standard loop when ``NSW_EVENT_LOOP=asyncio``; the garbage collector is set for a
    long-running process (:mod:`singlewindow.platform.collector`)."""
    loop = os.environ.get("NSW_EVENT_LOOP", "uvloop")
    if loop not in EVENT_LOOPS:
        coro.close()
        raise click.UsageError(f"NSW_EVENT_LOOP must be one of {', '.join(EVENT_LOOPS)}, not {loop!r}")
    collector.tune()
    if loop == "uvloop":
        return uvloop.run(coro)
    return asyncio.run(coro)


@asynccontextmanager
async def hub_database(url: str) -> AsyncIterator[AsyncEngine]:
    """The hub database brought to the current schema version, disposed afterwards."""
    engine = open_engine(url)
    try:
        await upgrade(engine)
        yield engine
    finally:
        await engine.dispose()


def json_object_file(path: Path) -> dict[str, Any]:
    """A file holding one JSON object, or a usage error naming the file."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise click.BadParameter(f"{path}: {exc}") from exc
    if not isinstance(value, dict):
        raise click.BadParameter(f"{path}: a JSON object is expected")
    return value


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, sort_keys=True, default=str))


def call_hub(
    ctx: click.Context,
    url: str | None,
    token: str | None,
    open_client: Callable[[str, str], AbstractAsyncContextManager[C]],
    work: Callable[[C], Coroutine[Any, Any, T]],
) -> T:
    """Run ``work`` with a client of a running hub's HTTP API (``--url``/``--token``); an invalid request
    prints each problem as ``pointer: message (code)``; any project error is one line and exit code 1."""
    settings = settings_of(ctx)
    if not token:
        raise click.UsageError("no token: pass --token or set NSW_TOKEN")

    async def _go() -> T:
        async with open_client(url or f"http://{settings.hub.host}:{settings.hub.http_port}", token) as client:
            return await work(client)

    try:
        return run(_go())
    except InvalidInput as exc:
        click.echo(f"error: {exc.message}", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem.path or '/'}: {problem.message} ({problem.code})", err=True)
        raise SystemExit(1) from exc
    except NswError as exc:
        click.echo(f"error: {exc.message}", err=True)
        raise SystemExit(1) from exc
