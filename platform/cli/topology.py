"""``nsw topology``: declare the broker topology, create its users, print the names table."""

from __future__ import annotations

import click

from singlewindow.platform.catalogue import load_catalogue
from singlewindow.platform.cli.runtime import run, settings_of
from singlewindow.platform.settings import Settings
from singlewindow.platform.topology import Topology, build_topology
from singlewindow.platform.topology.apply import apply_rabbitmq
from singlewindow.platform.topology.management import ManagementClient
from singlewindow.platform.topology.render import render_markdown, render_plain
from singlewindow.platform.topology.users import UsersReport, ensure_users_rabbitmq

_VHOST = click.option("--vhost", default=None, help="Virtual host (default: the broker.vhost setting).")


def _table(settings: Settings) -> Topology:
    # The catalogue the hub routes with: hub.routing_dir's when set (a new agency is added there), else the shipped.
    routing_dir = settings.hub.routing_dir
    return build_topology(load_catalogue(routing_dir / "recipients.json" if routing_dir else None), settings.topology)


@click.group()
def topology() -> None:
    """Exchanges, queues, policies, users and permissions of the hub (administrator credentials)."""


@topology.command()
@_VHOST
@click.pass_context
def declare(ctx: click.Context, vhost: str | None) -> None:
    """Create the vhost and everything in the names table, then check each queue's effective policy."""
    settings = settings_of(ctx)
    table = _table(settings)
    target = vhost or settings.broker.vhost

    async def _go() -> None:
        async with ManagementClient.from_settings(settings.broker) as client:
            await apply_rabbitmq(table, client, target, settings.topology.verify_timeout_seconds)

    run(_go())
    click.echo(
        f"vhost {target!r}: {len(table.exchanges)} exchanges, {len(table.queues)} queues, "
        f"{len(table.bindings)} bindings, {len(table.policies)} policies declared; "
        "every queue's type and effective policy checked"
    )


@topology.command()
@_VHOST
@click.option("--rotate", is_flag=True, help="Also issue new passwords to users that already exist.")
@click.pass_context
def users(ctx: click.Context, vhost: str | None, rotate: bool) -> None:
    """Create the broker users with generated passwords (printed once) and set their permissions."""
    settings = settings_of(ctx)
    table = _table(settings)
    target = vhost or settings.broker.vhost

    async def _go() -> UsersReport:
        async with ManagementClient.from_settings(settings.broker) as client:
            return await ensure_users_rabbitmq(table, client, target, rotate=rotate)

    report = run(_go())
    for credential in report.issued:
        click.echo(f"{credential.user}\t{credential.password}")
    for name in report.unchanged:
        click.echo(f"{name}\t(exists; password unchanged, permissions set)", err=True)
    if report.issued:
        click.echo("store these passwords now: they are not shown again", err=True)


@topology.command()
@click.option("--markdown", is_flag=True, help="The names table as docs/topology.md holds it.")
@click.pass_context
def names(ctx: click.Context, markdown: bool) -> None:
    """Print every exchange, queue, routing key, policy, user and permission of the table."""
    table = _table(settings_of(ctx))
    click.echo(render_markdown(table) if markdown else render_plain(table), nl=False)
