"""``nsw risk``: agencies' risk profiles (keygen, sign, publish), the keys the hub trusts for them, AEO
authorisations, and ``explain`` (an agency's own criteria that hit a submission).

Two ways in: with ``--token`` (an agency principal's token) through a running hub's HTTP API, where the hub
takes the agency from the token; without it, as an operator on the hub database (``--db``), scoped to the
``--agency`` named.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from singlewindow.platform.api.agency_client import AgencyHubClient
from singlewindow.platform.cli.runtime import call_hub, echo_json, hub_database, json_object_file, run, settings_of
from singlewindow.platform.risk import AeoRegister, ProfileStore, RiskKeys
from singlewindow.platform.risk.service import assessments_of
from singlewindow.platform.risk.signing import key_id, load_private, private_pem, public_text, sign

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_db_option = click.option("--db", "db_url", help="Hub database URL (default: NSW_DATABASE__URL).")
_url_option = click.option("--url", envvar="NSW_HUB_URL", help="Hub HTTP URL (with --token).")
_token_option = click.option("--token", help="The agency principal's token: go through the hub's API.")


@click.group()
def risk() -> None:
    """Agencies' risk profiles, their signing keys, AEO authorisations, and explain."""


@risk.command()
@click.argument("agency")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the private key (PEM, mode 0600; never overwritten).")  # fmt: skip
def keygen(agency: str, out: Path) -> None:
    """Make AGENCY's Ed25519 signing key; print the public key for `nsw risk key add`."""
    private = Ed25519PrivateKey.generate()
    try:
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise click.BadParameter(f"{out} exists; a key is never overwritten") from exc
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(private_pem(private))
    public = private.public_key()
    click.echo(f"agency {agency}: key {key_id(public)} written to {out}")
    click.echo(f"public key: {public_text(public)}")
    click.echo(f"register it on the hub: nsw risk key add {agency} {public_text(public)}", err=True)


@risk.command(name="sign")
@click.argument("file", type=_FILE)
@click.option("--key", "key_file", type=_FILE, required=True, help="The agency's private key (PEM).")
def sign_(file: Path, key_file: Path) -> None:
    """Print the detached signature (base64) of profile FILE's canonical JSON."""
    click.echo(sign(load_private(key_file), json_object_file(file)))


@risk.command()
@click.argument("file", type=_FILE)
@click.option("--agency", required=True, help="The publishing agency (the profile's owner).")
@click.option("--key", "key_file", type=_FILE, required=True, help="The agency's private key (PEM).")
@_url_option
@_token_option
@_db_option
@click.pass_context
def publish(
    ctx: click.Context, file: Path, agency: str, key_file: Path, url: str | None, token: str | None, db_url: str | None
) -> None:
    """Sign profile FILE with KEY and publish it for AGENCY (API with --token, else the database)."""
    document = json_object_file(file)
    signature = sign(load_private(key_file), document)
    if token:

        async def through_api(client: AgencyHubClient) -> dict[str, Any]:
            return await client.publish_risk_profile(document, signature)

        published = call_hub(ctx, url, token, AgencyHubClient, through_api)
        if published.get("agency") != agency:
            raise click.UsageError(f"the token is {published.get('agency')}'s, not {agency}'s")
    else:

        async def in_database() -> dict[str, Any]:
            async with hub_database(db_url or settings_of(ctx).database.url) as engine:
                keys = RiskKeys(engine)
                return await ProfileStore(engine, keys).publish(agency, document, signature, "cli")

        published = run(in_database())
    click.echo(f"published {published['agency']}/{published['id']} version {published['version']}")


@risk.group()
def key() -> None:
    """The public keys the hub trusts for each agency's profiles."""


@key.command(name="add")
@click.argument("agency")
@click.argument("public_key", metavar="PUBLIC_KEY_B64")
@_db_option
@click.pass_context
def key_add(ctx: click.Context, agency: str, public_key: str, db_url: str | None) -> None:
    """Trust PUBLIC_KEY_B64 (raw Ed25519, base64) for AGENCY's profiles."""

    async def go() -> str:
        async with hub_database(db_url or settings_of(ctx).database.url) as engine:
            return await RiskKeys(engine).add(agency, public_key)

    click.echo(f"trusted key {run(go())} for {agency}")


@key.command(name="list")
@_db_option
@click.pass_context
def key_list(ctx: click.Context, db_url: str | None) -> None:
    """Every trusted key: agency, key id, public key."""

    async def go() -> list[tuple[str, str, str]]:
        async with hub_database(db_url or settings_of(ctx).database.url) as engine:
            return await RiskKeys(engine).listing()

    for agency, identifier, public in run(go()):
        click.echo(f"{agency}\t{identifier}\t{public}")


@risk.group()
def aeo() -> None:
    """Authorised economic operators (by the trader's principal id)."""


@aeo.command(name="add")
@click.argument("trader_id")
@click.argument("number")
@click.option("--valid-to", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Expiry date (UTC, exclusive).")
@click.option("--note")
@_db_option
@click.pass_context
def aeo_add(ctx: click.Context, trader_id: str, number: str, valid_to: datetime, note: str | None,
            db_url: str | None) -> None:  # fmt: skip
    """Register TRADER_ID's AEO authorisation NUMBER."""

    async def go() -> None:
        async with hub_database(db_url or settings_of(ctx).database.url) as engine:
            await AeoRegister(engine).add(trader_id, number, valid_to.replace(tzinfo=UTC), note)

    run(go())
    click.echo(f"AEO {number} of {trader_id} valid to {valid_to.date().isoformat()}")


@aeo.command(name="remove")
@click.argument("trader_id")
@click.argument("number")
@_db_option
@click.pass_context
def aeo_remove(ctx: click.Context, trader_id: str, number: str, db_url: str | None) -> None:
    """Remove TRADER_ID's AEO authorisation NUMBER."""

    async def go() -> None:
        async with hub_database(db_url or settings_of(ctx).database.url) as engine:
            await AeoRegister(engine).remove(trader_id, number)

    run(go())
    click.echo(f"removed AEO {number} of {trader_id}")


@aeo.command(name="list")
@click.option("--json", "as_json", is_flag=True)
@_db_option
@click.pass_context
def aeo_list(ctx: click.Context, as_json: bool, db_url: str | None) -> None:
    """Every registered AEO authorisation."""

    async def go() -> list[dict[str, Any]]:
        async with hub_database(db_url or settings_of(ctx).database.url) as engine:
            return await AeoRegister(engine).listing()

    rows = run(go())
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        click.echo(f"{row['traderId']}\t{row['number']}\tvalid to {row['validTo']}")


@risk.command()
@click.argument("submission")
@click.option("--agency", required=True, help="Whose criteria: only this agency's assessment is shown.")
@click.option("--json", "as_json", is_flag=True)
@_url_option
@_token_option
@_db_option
@click.pass_context
def explain(ctx: click.Context, submission: str, agency: str, as_json: bool, url: str | None, token: str | None,
            db_url: str | None) -> None:  # fmt: skip
    """AGENCY's criteria that hit SUBMISSION, its score, level, profiles and the trader history used.

    With --token (the agency's own token) through the hub's API; else on the database as an operator.
    Exit code 1 when there is no assessment of it for the agency or access is denied."""
    if token:

        async def through_api(client: AgencyHubClient) -> dict[str, Any]:
            return await client.risk_assessments(submission)

        found = call_hub(ctx, url, token, AgencyHubClient, through_api)
        if found.get("agency") != agency:
            click.echo(f"error: the token is not {agency}'s", err=True)
            ctx.exit(1)
    else:

        async def in_database() -> dict[str, Any]:
            async with hub_database(db_url or settings_of(ctx).database.url) as engine:
                return await assessments_of(engine, agency, submission)

        found = run(in_database())
    if as_json:
        echo_json(found)
        return
    for entry in found["assessments"]:
        click.echo(f"{submission} v{entry['version']} for {agency}: {entry['level']} (score {entry['score']})")
        profiles = ", ".join(f"{p['id']} v{p['version']}" for p in entry["profiles"])
        click.echo(f"  profiles: {profiles}")
        click.echo(f"  trader {entry['traderId']}{' (AEO)' if entry['aeo'] else ''}")
        for window in entry["traderHistory"]:
            click.echo(
                f"  last {window['withinDays']} days: {window['submissions']} submissions, "
                f"{window['rejections']} rejections, {window['inspections']} inspections, "
                f"{window['negativeFindings']} negative findings"
            )
        for hit in entry["hits"] or [{"criterion": "-", "description": "no criterion hit", "score": 0}]:
            click.echo(f"  {hit['criterion']}: {hit['description']} (+{hit['score']})")
