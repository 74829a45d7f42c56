"""``nsw gateway link | unlink | link-status``: the Shovel carrying our messages to a partner hub.

``link`` needs the management API's administrator (a shovel is a runtime parameter of our vhost) and the
password of OUR link user on the PARTNER's broker (``nsw-link-<our key>``, made there by their
``nsw topology users``), read from an environment variable so it never appears in a process listing.
It is never printed; the broker keeps it in the shovel's definition, readable by its administrators only.
"""

from __future__ import annotations

import os
import re

import click

from singlewindow.platform.catalogue import Catalogue, RecipientKind, load_catalogue
from singlewindow.platform.cli.runtime import run, settings_of
from singlewindow.platform.errors import ConfigurationError
from singlewindow.platform.settings import Settings
from singlewindow.platform.topology import names
from singlewindow.platform.topology.link import (
    RUNNING,
    create_link,
    remove_link,
    shovel_state,
    wait_for_state,
)
from singlewindow.platform.topology.management import ManagementClient

_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_VHOST = click.option("--vhost", default=None, help="Our virtual host (default: the broker.vhost setting).")
_PARTNER = click.option("--partner", required=True, help="The partner's ISO alpha-2 country code (CN).")


def partner_key_of(country: str) -> str:
    """``CN`` -> ``cn``: the key of every broker name of the link."""
    if not _COUNTRY.match(country):
        raise click.BadParameter(f"an ISO 3166-1 alpha-2 code such as CN, got {country!r}", param_hint="--partner")
    return country.lower()


def _catalogue(settings: Settings) -> Catalogue:
    routing_dir = settings.hub.routing_dir
    return load_catalogue(routing_dir / "recipients.json" if routing_dir else None)


def _partners(settings: Settings) -> list[str]:
    return [names.partner_key(r.id) for r in _catalogue(settings).recipients if r.kind is RecipientKind.PARTNER]


def _known_partner(settings: Settings, key: str) -> None:
    if key not in _partners(settings):
        raise ConfigurationError(
            f"no PARTNER recipient {names.partner_recipient(key)!r} in the recipients catalogue: add it and run "
            "nsw topology declare (the link forwards its crossborder.out queue)"
        )


def _profile_link(settings: Settings, key: str) -> tuple[str | None, str | None]:
    """The (uri, vhost) defaults of the partner's profile, if it has one with a link section."""
    from singlewindow.adapters.gateway.profiles import load_profiles

    profile = load_profiles(settings.gateway.partners_dir).get(key)
    if profile is None or profile.link is None:
        return None, None
    return profile.link.uri, profile.link.vhost


async def link_state(partner: str, settings: Settings | None = None, *, vhost: str | None = None) -> str:
    """The state of the link to ``partner`` (key ``cn`` or code ``CN``) as our broker reports it:
    ``running``, ``starting``, ``terminated``, or ``absent`` when there is no shovel. For gateway status."""
    settings = settings or Settings()
    async with ManagementClient.from_settings(settings.broker) as client:
        return await shovel_state(client, vhost or settings.broker.vhost, partner.lower())


@click.command()
@_PARTNER
@click.option("--uri", default=None, help="amqp[s]://host:port[/vhost] of the partner's broker (default: its profile).")
@click.option("--partner-vhost", default=None, help="The partner's vhost, when the URI names none (e.g. /cn-sw).")
@click.option(
    "--link-password-env",
    "password_env",
    required=True,
    metavar="VAR",
    help="Environment variable holding the password of our link user on the partner's broker.",
)
@click.option(
    "--wait",
    "wait_seconds",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds to wait for the shovel to run (exit 1 if it does not; it stays defined and keeps retrying).",
)
@_VHOST
@click.pass_context
def link(
    ctx: click.Context,
    partner: str,
    uri: str | None,
    partner_vhost: str | None,
    password_env: str,
    wait_seconds: float,
    vhost: str | None,
) -> None:
    """Create (or replace) the Shovel forwarding crossborder.out.<partner> to the partner's hub."""
    settings = settings_of(ctx)
    key = partner_key_of(partner)
    ours = settings.gateway.country.lower()
    if key == ours:
        raise click.BadParameter(f"{partner} is this hub's own country", param_hint="--partner")
    _known_partner(settings, key)
    password = os.environ.get(password_env)
    if not password:
        raise click.UsageError(f"environment variable {password_env} is not set or empty")
    if uri is None:
        uri, default_vhost = _profile_link(settings, key)
        if uri is None:
            raise click.UsageError(f"--uri is required: the profile of {partner.upper()} names no link")
        partner_vhost = partner_vhost or default_vhost
    target = vhost or settings.broker.vhost

    async def _go() -> str:
        async with ManagementClient.from_settings(settings.broker) as client:
            await create_link(client, target, key, ours, uri, password, partner_vhost=partner_vhost)
            return await wait_for_state(client, target, key, wait_seconds)

    state = run(_go())
    click.echo(f"{names.shovel_name(key)}\t{state}")
    if state != RUNNING:
        click.echo(
            f"the link to {partner.upper()} is defined but {state} after {wait_seconds:g} s; the broker retries "
            "every second (check the URI, the password, and that the partner declared its topology)",
            err=True,
        )
        ctx.exit(1)


@click.command()
@_PARTNER
@_VHOST
@click.pass_context
def unlink(ctx: click.Context, partner: str, vhost: str | None) -> None:
    """Delete the Shovel to the partner: our messages to it wait in crossborder.out.<partner>."""
    settings = settings_of(ctx)
    key = partner_key_of(partner)

    async def _go() -> bool:
        async with ManagementClient.from_settings(settings.broker) as client:
            return await remove_link(client, vhost or settings.broker.vhost, key)

    removed = run(_go())
    click.echo(f"{names.shovel_name(key)}\t{'removed' if removed else 'absent'}")


@click.command(name="link-status")
@click.option("--partner", default=None, help="One partner (default: every partner of the catalogue).")
@_VHOST
@click.pass_context
def link_status(ctx: click.Context, partner: str | None, vhost: str | None) -> None:
    """The state of each link: running, starting, terminated or absent. Exit 1 unless all are running."""
    settings = settings_of(ctx)
    keys = [partner_key_of(partner)] if partner else _partners(settings)
    target = vhost or settings.broker.vhost

    async def _go() -> list[tuple[str, str]]:
        async with ManagementClient.from_settings(settings.broker) as client:
            return [(key, await shovel_state(client, target, key)) for key in keys]

    states = run(_go())
    for key, state in states:
        click.echo(f"{key.upper()}\t{names.shovel_name(key)}\t{state}")
    if any(state != RUNNING for _, state in states):
        ctx.exit(1)
