"""``nsw fees``: check the fee schedules, and ``nsw invoice show``: a submission's invoice (operators)."""

from __future__ import annotations

from pathlib import Path

import click

from singlewindow.platform.cli.runtime import echo_json, hub_database, run, settings_of
from singlewindow.platform.errors import NotFound
from singlewindow.platform.payments.schedules import default_fees_dir, read_schedules
from singlewindow.platform.payments.views import summary_lines, trader_invoice

_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


@click.group()
def fees() -> None:
    """Fee schedules: one JSON file per agency and validity period (message_specs/fees/)."""


@fees.command()
@click.argument("directory", required=False, type=_DIR)
@click.pass_context
def check(ctx: click.Context, directory: Path | None) -> None:
    """Check every schedule against its schema and that no agency's schedules overlap; exit 1 on a problem."""
    folder = directory or settings_of(ctx).fees.schedules_dir or default_fees_dir()
    schedules, problems = read_schedules(folder)
    for problem in problems:
        click.echo(problem)
    for schedule in sorted(schedules, key=lambda s: (s.agency, s.valid_from)):
        until = schedule.valid_to.isoformat() if schedule.valid_to else "open"
        click.echo(
            f"{schedule.agency:<14} {schedule.id:<22} v{schedule.version} {schedule.valid_from}..{until}", err=True
        )
    click.echo(f"{len(schedules)} schedules: " + ("OK" if not problems else f"{len(problems)} problems"), err=True)
    if problems:
        ctx.exit(1)


@click.group()
def invoice() -> None:
    """Invoices: one per submission, a line per agency and fee."""


@invoice.command()
@click.argument("submission_id", metavar="SUBMISSION")
@click.option("--json", "as_json", is_flag=True, help="The invoice as the API returns it.")
@click.option("--db", "db_url", help="Database URL (default: NSW_DATABASE__URL).")
@click.pass_context
def show(ctx: click.Context, submission_id: str, as_json: bool, db_url: str | None) -> None:
    """Print SUBMISSION's invoice: its lines, the balance per currency and the payments counted."""

    async def go() -> dict[str, object]:
        async with hub_database(db_url or settings_of(ctx).database.url) as engine, engine.connect() as conn:
            found = await trader_invoice(conn, submission_id)
        if found is None:
            raise NotFound(f"submission {submission_id} has no invoice")
        return found

    found = run(go())
    if as_json:
        echo_json(found)
    else:
        click.echo("\n".join(summary_lines(found)))
