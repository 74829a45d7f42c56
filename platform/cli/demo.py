"""``nsw demo``: the README's first command. Runs the scenario, prints the timeline, and exits 0 only if
every submission ended as the scenario expects, so the demo checks itself."""

from __future__ import annotations

import json
from pathlib import Path

import click

from singlewindow.platform.cli.runtime import run, settings_of
from singlewindow.platform.demo import render_human, render_json, run_demo
from singlewindow.platform.logs import configure_logging
from singlewindow.platform.settings import LogSettings


@click.command()
@click.option(
    "--amqp-url",
    default=None,
    metavar="URL",
    help="Run on RabbitMQ (e.g. amqp://guest:guest@127.0.0.1:5672/) in a fresh vhost made through the "
    "management API (broker.management_* settings); default: the in-memory broker.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of the timeline.")
@click.option(
    "--keep",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="Keep the demo's SQLite database in DIR (and, with --amqp-url, its vhost and users).",
)
@click.option(
    "--auto-deciders",
    is_flag=True,
    help="Answer for the agencies with simple rules (fast, nothing else started) instead of their real "
    "adapters against their agency systems' stand-ins.",
)
@click.option(
    "--web",
    is_flag=True,
    help="Instead: open the web portal on embedded defaults (rule-based agencies but the border guard, whose "
    "officer decides in the console; the shipped consignments submitted first) and serve it until Ctrl-C; "
    "prints the URL and the tokens to sign in with.",
)
@click.pass_context
def demo(
    ctx: click.Context, amqp_url: str | None, as_json: bool, keep: Path | None, auto_deciders: bool, web: bool
) -> None:
    """Submit example consignments once each; the agencies' adapters decide; print what the hub recorded."""
    settings = settings_of(ctx)
    if web:
        from singlewindow.platform.cli.portal import serve_until_interrupted

        serve_until_interrupted(settings, seed=True)
        return
    # Warnings only: the timeline is the output, and per-message info logs would bury it.
    if settings.log.level in ("debug", "info"):
        configure_logging(LogSettings(level="warning", format=settings.log.format))

    def progress(line: str) -> None:  # as it happens; with --json on stderr, so stdout stays one object
        click.echo(line, err=as_json)

    result = run(run_demo(settings, amqp_url, keep=keep, auto_deciders=auto_deciders, progress=progress))
    if not as_json:
        click.echo()
    if as_json:
        click.echo(json.dumps(render_json(result), indent=2))
    else:
        click.echo(render_human(result), nl=False)
    if not result.ok:
        ctx.exit(1)
