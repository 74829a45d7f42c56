"""``nsw gateway``: operating the cross-border gateway. This module holds the group and ``keys``; the other
subcommands live in ``gateway_<area>.py`` beside it and are imported only when used (``LAZY``).

Keys (``nsw gateway keys ...``) are ours in ``gateway.keys_dir`` (adapters/gateway/keystore.py) and the
partners' in their profiles. Only public parts are ever printed.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click

from singlewindow.adapters.gateway.keystore import DEFAULT_VALID_DAYS, Keystore, import_partner_key
from singlewindow.platform.catalogue import format_duration, parse_duration
from singlewindow.platform.cli.lazy import LazyGroup
from singlewindow.platform.cli.runtime import echo_json, settings_of

LAZY: dict[str, str] = {
    "link": "singlewindow.platform.cli.gateway_link:link",
    "unlink": "singlewindow.platform.cli.gateway_link:unlink",
    "link-status": "singlewindow.platform.cli.gateway_link:link_status",
    "status": "singlewindow.platform.cli.gateway_status:status",
    "quarantine": "singlewindow.platform.cli.gateway_quarantine:quarantine",
}


@click.group(cls=LazyGroup, lazy=LAZY)
def gateway() -> None:
    """The cross-border gateway: signing keys, the link to a partner hub, and what arrived."""


@gateway.group()
def keys() -> None:
    """Our Ed25519 signing keys (gateway.keys_dir) and the partners' public keys in their profiles."""


def _keystore(ctx: click.Context) -> Keystore:
    return Keystore(settings_of(ctx).gateway.keys_dir)


@keys.command()
@click.option("--hub-id", default=None, help="Our hub id, as the key id's prefix (default: gateway.hub_id).")
@click.option("--valid-days", type=click.IntRange(1, 3650), default=DEFAULT_VALID_DAYS, show_default=True)
@click.pass_context
def generate(ctx: click.Context, hub_id: str | None, valid_days: int) -> None:
    """The first signing key of an empty keystore (a keystore with keys is rotated instead)."""
    store = _keystore(ctx)
    record = store.generate(hub_id or settings_of(ctx).gateway.hub_id, valid_days=valid_days)
    click.echo(f"generated {record.key_id} in {store.directory} (valid to {record.profile_entry()['validTo']})")
    click.echo("give the partner its public entry: nsw gateway keys export --json")


@keys.command()
@click.option("--json", "as_json", is_flag=True, help="The entries for the partner's profile of us, as JSON.")
@click.pass_context
def export(ctx: click.Context, as_json: bool) -> None:
    """Our public keys not yet expired: the ``keys`` entries of the partner's profile of us."""
    entries = _keystore(ctx).export_public()
    if as_json:
        echo_json(entries)
        return
    if not entries:
        click.echo("no keys valid now: nsw gateway keys generate (or rotate)", err=True)
    for entry in entries:
        click.echo(f"{entry['keyId']}  {entry['validFrom']} .. {entry['validTo']}  {entry['publicKey']}")


@keys.command(name="import")
@click.option("--profile", "profile_path", required=True, type=click.Path(dir_okay=False, exists=True))
@click.option("--key-id", required=True)
@click.option("--public-key", required=True, help="Base64 of the raw 32-byte Ed25519 public key.")
@click.option("--valid-from", required=True, help="RFC 3339, e.g. 2026-12-07T00:00:00.000Z.")
@click.option("--valid-to", required=True)
def import_(profile_path: str, key_id: str, public_key: str, valid_from: str, valid_to: str) -> None:
    """Add (or update) a partner's public key in its profile file."""
    entry = {"keyId": key_id, "publicKey": public_key, "validFrom": valid_from, "validTo": valid_to}
    done = import_partner_key(Path(profile_path), entry)
    click.echo(f"{done} key {key_id} in {profile_path}")


def _duration(ctx: click.Context, param: click.Parameter, value: str) -> timedelta:
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@keys.command()
@click.option("--overlap", required=True, callback=_duration, help="How long the old key stays valid, e.g. P7D.")
@click.option(
    "--activate-in",
    default=None,
    help="Announce ahead: the new key signs only after this (e.g. P1D), so the partner can import it first.",
)
@click.option("--valid-days", type=click.IntRange(1, 3650), default=DEFAULT_VALID_DAYS, show_default=True)
@click.pass_context
def rotate(ctx: click.Context, overlap: object, activate_in: str | None, valid_days: int) -> None:
    """A new signing key: it signs from now (or after --activate-in); the old one signs until then and stays
    valid for the overlap after it, then no longer."""
    assert isinstance(overlap, timedelta)
    delay = _duration(ctx, click.Option(["--activate-in"]), activate_in) if activate_in else timedelta(0)
    store = _keystore(ctx)
    old = store.active_record()
    new = store.rotate(overlap, activate_in=delay, valid_days=valid_days)
    when = "now" if not delay else f"from {new.profile_entry()['validFrom']}"
    click.echo(f"{new.key_id} signs {when}; {old.key_id} until then, and stays valid {format_duration(overlap)} after")
    click.echo("give the partner the new public entry now: nsw gateway keys export --json")
