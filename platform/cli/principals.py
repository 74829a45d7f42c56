"""``nsw principals``: who may call the platform. Tokens are printed once and stored hashed."""

from __future__ import annotations

from datetime import datetime

import click

from singlewindow.platform.cli.runtime import echo_json, hub_database, run, settings_of
from singlewindow.platform.identity import GrantScope, IssuedToken, Principal, PrincipalStore, Role

_db_option = click.option("--db", "db_url", help="Database URL (default: NSW_DATABASE__URL).")


def _row(p: Principal) -> dict[str, str | None]:
    return {
        "id": p.id,
        "name": p.name,
        "role": p.role.value,
        "agency": p.agency,
        "created_at": p.created_at.isoformat(),
        "revoked_at": p.revoked_at.isoformat() if p.revoked_at else None,
    }


def _show_token(issued: IssuedToken) -> None:
    click.echo(f"principal {issued.principal.name} ({issued.principal.id}, {issued.principal.role})")
    click.echo(f"token: {issued.token}")
    click.echo("The token is shown once and stored only as a hash; keep it now.", err=True)


@click.group()
def principals() -> None:
    """Add, list, revoke and rotate principals; grant brokers the right to act for traders."""


@principals.command()
@click.argument("name")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--agency", help="Agency id, for the agency and officer roles.")
@_db_option
@click.pass_context
def add(ctx: click.Context, name: str, role: str, agency: str | None, db_url: str | None) -> None:
    """Create a principal and print its first token."""

    async def go() -> IssuedToken:
        async with hub_database(db_url or settings_of(ctx).database.url) as engine:
            return await PrincipalStore(engine).add(name, Role(role), agency)

    _show_token(run(go()))


@principals.command(name="list")
@click.option("--all", "include_revoked", is_flag=True, help="Include revoked principals.")
@click.option("--json", "as_json", is_flag=True)
@_db_option
@click.pass_context
def list_(ctx: click.Context, include_revoked: bool, as_json: bool, db_url: str | None) -> None:
    """List principals (never their tokens)."""

    async def go() -> list[Principal]:
        async with hub_database(db_url or settings_of(ctx).database.url) as engine:
            return await PrincipalStore(engine).all(include_revoked)

    rows = [_row(p) for p in run(go())]
    if as_json:
        echo_json(rows)
        return
    for r in rows:
        state = "revoked" if r["revoked_at"] else "active"
        click.echo(f"{r['name']:<32} {r['role']:<9} {r['agency'] or '-':<14} {state:<8} {r['id']}")


@principals.command()
@click.argument("name")
@_db_option
@click.pass_context
def revoke(ctx: click.Context, name: str, db_url: str | None) -> None:
    """Revoke a principal and every token it holds."""

    async def go() -> Principal:
        async with hub_database(db_url or settings_of(ctx).database.url) as engine:
            return await PrincipalStore(engine).revoke(name)

    click.echo(f"revoked {run(go()).name}")


@principals.command()
@click.argument("name")
@_db_option
@click.pass_context
def rotate(ctx: click.Context, name: str, db_url: str | None) -> None:
    """Issue a new token and revoke the old ones."""

    async def go() -> IssuedToken:
        async with hub_database(db_url or settings_of(ctx).database.url) as engine:
            return await PrincipalStore(engine).rotate(name)

    _show_token(run(go()))


@principals.command()
@click.argument("broker")
@click.argument("trader")
@click.option("--scope", type=click.Choice([s.value for s in GrantScope]), default=GrantScope.SUBMIT.value)
@click.option("--until", "valid_until", type=click.DateTime(), help="End of validity (UTC).")
@_db_option
@click.pass_context
def grant(
    ctx: click.Context, broker: str, trader: str, scope: str, valid_until: datetime | None, db_url: str | None
) -> None:
    """Let customs broker BROKER act for trader TRADER."""
    from datetime import UTC

    until = valid_until.replace(tzinfo=UTC) if valid_until else None

    async def go() -> str:
        async with hub_database(db_url or settings_of(ctx).database.url) as engine:
            return (await PrincipalStore(engine).grant(broker, trader, GrantScope(scope), until)).id

    click.echo(f"grant {run(go())}: {broker} may {scope} for {trader}")
