"""``nsw audit``: signed checkpoints of the event chains, and verifying the history against them.

``checkpoint`` is a command for cron (or a systemd timer), not a task inside ``nsw hub run``: one writer
however many hub processes run, the signing key only on the host that signs (not in every hub process,
whose compromise must not let it sign a rewritten history), and a schedule that survives hub restarts.
``--every`` keeps it running for a service manager instead.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from singlewindow.platform.audit import checkpoints
from singlewindow.platform.audit.keys import key_id, public_text, signing_key, trusted_keys
from singlewindow.platform.audit.verify import AuditReport, load_checkpoints, verify
from singlewindow.platform.cli.runtime import echo_json, hub_database, run, settings_of
from singlewindow.platform.state.common import utcnow

_db_option = click.option("--db", "db_url", help="Database URL (default: NSW_DATABASE__URL).")


@click.group()
def audit() -> None:
    """Signed checkpoints of each submission's event chain; verify the history against them."""


@audit.command()
@click.option("--every", "minutes", type=click.FloatRange(min=0.1), help="Keep running: a checkpoint every N minutes.")
@_db_option
@click.pass_context
def checkpoint(ctx: click.Context, minutes: float | None, db_url: str | None) -> None:
    """Write a signed checkpoint of every chain head to audit.checkpoint_dir (a new file each time)."""
    settings = settings_of(ctx).audit
    key = signing_key(settings.key_file, create=True)

    async def go() -> None:
        async with hub_database(db_url or settings_of(ctx).database.url) as engine:
            while True:
                at = utcnow()
                heads = await checkpoints.chain_heads(engine)
                path = checkpoints.write(settings.checkpoint_dir, checkpoints.signed(heads, key, at), at)
                click.echo(f"{path} ({len(heads)} submissions, key {key_id(key.public_key())})")
                if minutes is None:
                    return
                await asyncio.sleep(minutes * 60)

    run(go())


@audit.command(name="public-key")
@click.pass_context
def public_key(ctx: click.Context) -> None:
    """Print the signing key's id and public key (for audit.trusted_keys on a verifying host)."""
    public = signing_key(settings_of(ctx).audit.key_file, create=False).public_key()
    click.echo(f"{key_id(public)} {public_text(public)}")


@audit.command(name="verify")
@click.option("--submission", "submission_id", help="Only this submission's chain.")
@click.option("--checkpoints", "directory", type=click.Path(path_type=Path), help="Default: audit.checkpoint_dir.")
@click.option("--json", "as_json", is_flag=True)
@_db_option
@click.pass_context
def verify_command(
    ctx: click.Context, submission_id: str | None, directory: Path | None, as_json: bool, db_url: str | None
) -> None:
    """Recompute every chain; name the first broken link of each and every checkpoint entry the database no
    longer matches. Exit 1 on any problem."""
    settings = settings_of(ctx)
    trusted = trusted_keys(settings.audit.key_file, settings.audit.trusted_keys)
    usable, unusable = load_checkpoints(directory or settings.audit.checkpoint_dir, trusted)

    async def go() -> AuditReport:
        async with hub_database(db_url or settings.database.url) as engine:
            return await verify(engine, usable, submission_id)

    report = run(go())
    report.findings[:0] = unusable
    if as_json:
        echo_json(
            {
                "ok": not report.findings,
                "submissions": len(report.chains),
                "links": report.links,
                "unlinked": report.unlinked,
                "checkpoints": report.checkpoints,
                "findings": [finding.to_json() for finding in report.findings],
            }
        )
    else:
        for finding in report.findings:
            click.echo(f"{finding.kind}: {finding.message}")
        click.echo(
            f"{len(report.chains)} submissions, {report.links} links, {len(report.checkpoints)} checkpoints checked; "
            f"{report.unlinked} events before the chain began (before migration 0009, not covered); "
            f"{len(report.findings)} problems"
        )
    if report.findings:
        ctx.exit(1)
