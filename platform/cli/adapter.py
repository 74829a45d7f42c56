"""``nsw adapter``: list the installed adapters, run one under its agency's broker user."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

import click

from singlewindow.adapters.sdk.config_file import read_config_file
from singlewindow.adapters.sdk.discovery import discover
from singlewindow.adapters.sdk.runner import run_adapter
from singlewindow.platform.cli.runtime import run, settings_of
from singlewindow.platform.errors import NswError


@click.group()
def adapter() -> None:
    """Agency adapters, found through the singlewindow.adapters entry-point group."""


@adapter.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of a table.")
def list_(as_json: bool) -> None:
    """Name, agency, version and the distribution each adapter comes from; broken entry points apart."""
    found = discover()
    if as_json:
        document = {
            "adapters": [entry.as_dict() for entry in found.adapters],
            "broken": [
                {"name": b.name, "target": b.target, "distribution": b.distribution, "error": b.error}
                for b in found.broken
            ],
        }
        click.echo(json.dumps(document, indent=2, sort_keys=True))
        return
    rows = [("NAME", "AGENCY", "VERSION", "DISTRIBUTION", "DESCRIPTION")]
    rows += [(e.name, e.agency, e.version, e.distribution, e.description) for e in found.adapters]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)) + "  " + row[4])
    for broken in found.broken:
        click.echo(f"skipped {broken.name} ({broken.distribution}): {broken.error}", err=True)


@adapter.command(name="run")
@click.argument("name")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="TOML or JSON: [adapter], [runtime], [broker].",
)
@click.pass_context
def run_(ctx: click.Context, name: str, config_path: Path | None) -> None:
    """Run adapter NAME until SIGTERM or SIGINT (running deliveries finish, then it stops)."""
    settings = settings_of(ctx)
    entry = discover().get(name)
    file = read_config_file(config_path)

    async def _go() -> bool:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        try:
            return await run_adapter(entry, settings, file, str(config_path or "defaults"), stop)
        finally:
            for signum in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(signum)

    if not run(_go()):
        raise NswError(f"adapter {name!r} could not start (see the log above)")
