"""What every command needs: the settings built by the group, and a way to run a coroutine."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import click
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.settings import Settings
from singlewindow.platform.storage import open_engine, upgrade

T = TypeVar("T")


def settings_of(ctx: click.Context) -> Settings:
    settings = ctx.find_root().obj
    assert isinstance(settings, Settings)
    return settings


def run(coro: Coroutine[Any, Any, T]) -> T:
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


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, sort_keys=True, default=str))
