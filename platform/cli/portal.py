"""``nsw portal serve``: the web portal for traders, brokers and officers, on a running hub's HTTP API
(``NSW_WEB__HUB_URL``) or on embedded defaults (a hub of its own with rule-based agencies but the border
guard, whose officer decides in the console)."""

from __future__ import annotations

import asyncio
import signal

import click

from singlewindow.platform.cli.runtime import run, settings_of
from singlewindow.platform.logs import configure_logging
from singlewindow.platform.settings import LogSettings, Settings
from singlewindow.platform.web.serve import PortalEndpoints, serve_portal


def _announce(endpoints: PortalEndpoints) -> None:
    click.echo(f"portal: {endpoints.url}  (hub API: {endpoints.hub_url})")
    for name, token in endpoints.tokens.items():
        click.echo(f"  sign in as {name}: {token}")
    click.echo("Ctrl-C stops it.")


def serve_until_interrupted(settings: Settings, *, seed: bool) -> None:
    if settings.log.level in ("debug", "info"):  # the URL and tokens are the output; per-request logs bury them
        configure_logging(LogSettings(level="warning", format=settings.log.format))

    async def go() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await serve_portal(settings, stop, _announce, seed=seed)

    run(go())


@click.group()
def portal() -> None:
    """The web portal: sign in, submit through a form, follow each agency's decision."""


@portal.command()
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Listen here (default: web.port, 8088).")
@click.option("--hub-url", default=None, metavar="URL", help="A running hub's HTTP API (default: web.hub_url; "
              "unset: an embedded hub, rule-based agencies but the border guard's officer).")  # fmt: skip
@click.option("--seed", is_flag=True, help="Embedded only: submit the shipped consignment examples first.")
@click.pass_context
def serve(ctx: click.Context, port: int | None, hub_url: str | None, seed: bool) -> None:
    """Serve the portal until Ctrl-C."""
    settings = settings_of(ctx)
    web = settings.web.model_copy(update={k: v for k, v in (("port", port), ("hub_url", hub_url)) if v is not None})
    serve_until_interrupted(settings.model_copy(update={"web": web}), seed=seed)
