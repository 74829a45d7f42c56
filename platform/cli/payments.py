"""``nsw payments``: the bank files of fee payments and the hub's reconciliation of them.

``pain001`` writes the ISO 20022 credit-transfer file that pays one invoice into the treasury (a trader
hands it to the bank); ``read-camt054`` prints the credits a bank notification holds, as the hub would
reconcile them, and what it skips and why (no database); ``import-camt054`` reconciles them into the hub's
invoices (idempotent: a file imported twice settles nothing twice); ``exceptions`` lists the notices that
could not be applied in full; ``reference`` prints an invoice number's RF reference.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import click

from singlewindow.platform.cli.runtime import echo_json, hub_database, run, settings_of
from singlewindow.platform.errors import InvalidInput
from singlewindow.platform.payments.provider import Party, PaymentOrder, PaymentProvider
from singlewindow.platform.payments.providers.iso20022.camt054 import read_file
from singlewindow.platform.payments.providers.iso20022.pain001 import message_id_for, write_pain001
from singlewindow.platform.payments.providers.money import check_currency, parse_amount
from singlewindow.platform.payments.reconcile import ReconcileReport
from singlewindow.platform.payments.reconcile import exceptions as list_exceptions
from singlewindow.platform.payments.references import creditor_reference, format_reference
from singlewindow.platform.payments.service import PaymentService, payment_service
from singlewindow.platform.settings import Settings


def _fail(error: InvalidInput) -> None:
    """Print the error and each problem on its own line, then exit 1."""
    click.echo(f"error: {error.message}", err=True)
    for problem in error.problems:
        click.echo(f"problem {problem.path}: {problem.message} [{problem.code}]", err=True)
    raise click.exceptions.Exit(1)


@asynccontextmanager
async def open_payments(settings: Settings, provider: PaymentProvider | None = None) -> AsyncIterator[PaymentService]:
    """A payment service on a publishing-only hub (``import_notices`` publishes the statuses it causes)."""
    from singlewindow.platform.api.assembly import hub_from_settings  # the outer ring, only when needed

    async with hub_from_settings(settings, consume=False) as hub:
        yield payment_service(hub, settings.fees, provider)


@click.group()
def payments() -> None:
    """Fee payments: RF references, pain.001 payment files, camt.054 bank notifications and reconciliation."""


@payments.command()
@click.argument("invoice_number")
def reference(invoice_number: str) -> None:
    """Print the ISO 11649 (RF) creditor reference of INVOICE_NUMBER, whole and in groups of four."""
    try:
        rf = creditor_reference(invoice_number)
    except InvalidInput as exc:
        _fail(exc)
        return
    click.echo(f"{rf}\t{format_reference(rf)}")


@payments.command()
@click.option("--invoice", "invoice_number", required=True, help="Invoice number (its RF reference is remitted).")
@click.option("--amount", required=True, help="Amount, e.g. 15000.50 (at most the currency's decimals).")
@click.option("--currency", required=True, help="ISO 4217 code, e.g. KZT.")
@click.option("--debtor-name", required=True, help="The payer (the trader) as its bank knows it.")
@click.option("--debtor-account", required=True, help="The payer's IBAN or national account number.")
@click.option("--debtor-bic", help="The payer's bank (BIC); without it the bank finds it from the account.")
@click.option("--treasury-name", envvar="NSW_TREASURY_NAME", required=True, help="Payee name [NSW_TREASURY_NAME].")
@click.option(
    "--treasury-account", envvar="NSW_TREASURY_ACCOUNT", required=True, help="Payee account [NSW_TREASURY_ACCOUNT]."
)
@click.option("--treasury-bic", envvar="NSW_TREASURY_BIC", help="Payee's bank BIC [NSW_TREASURY_BIC].")
@click.option(
    "--requested-on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Requested execution date, YYYY-MM-DD (default: today, UTC).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="File to write (default: <message id>.xml in the current folder).",
)
def pain001(
    invoice_number: str,
    amount: str,
    currency: str,
    debtor_name: str,
    debtor_account: str,
    debtor_bic: str | None,
    treasury_name: str,
    treasury_account: str,
    treasury_bic: str | None,
    requested_on: datetime | None,
    out: Path | None,
) -> None:
    """Write the pain.001.001.09 file that pays one invoice into the treasury."""
    try:
        currency = check_currency(currency.strip().upper(), "--currency")
        order = PaymentOrder(
            invoice_id=invoice_number,
            reference=creditor_reference(invoice_number),
            amount=parse_amount(amount, currency, "--amount"),
            currency=currency,
            debtor=Party(debtor_name, debtor_account, debtor_bic),
            creditor=Party(treasury_name, treasury_account, treasury_bic),
            requested_on=requested_on.date() if requested_on else datetime.now(UTC).date(),
        )
        message_id = message_id_for([order])
        document = write_pain001([order], message_id=message_id, created_at=datetime.now(UTC))
    except InvalidInput as exc:
        _fail(exc)
        return
    target = out or Path(f"{message_id}.xml")
    partial = target.with_name(f".{target.name}.part")
    try:
        partial.write_bytes(document)
        os.replace(partial, target)
    except OSError as exc:
        raise click.ClickException(f"cannot write {target}: {exc.strerror or exc}") from exc
    click.echo(f"{target}\tmessage {message_id}\treference {format_reference(order.reference)}")


def _jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime | date) else str(value)


@payments.command("read-camt054")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--account", help="Refuse the file unless every notification is for this account (the treasury's).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of text.")
def read_camt054(file: Path, account: str | None, as_json: bool) -> None:
    """Print the booked credits in a camt.054 FILE, and the entries skipped and why (exit 1 if unreadable)."""
    try:
        reading = read_file(file, account=account)
    except InvalidInput as exc:
        _fail(exc)
        return
    if as_json:
        notices = [
            {
                "entryReference": n.entry_reference,
                "reference": n.reference,
                "amount": str(n.amount),
                "currency": n.currency,
                "bookedAt": n.booked_at.isoformat(),
                "debtorName": n.debtor_name,
            }
            for n in reading.notices
        ]
        out = {
            "file": str(file),
            "version": reading.version,
            "messageId": reading.message_id,
            "accounts": list(reading.accounts),
            "notices": notices,
            "skipped": [{"path": s.path, "reason": s.reason} for s in reading.skipped],
        }
        click.echo(json.dumps(out, indent=2, default=_jsonable))
        return
    click.echo(f"{file}: {reading.version}, message {reading.message_id}, account {', '.join(reading.accounts)}")
    for n in reading.notices:
        click.echo(
            f"credit {n.entry_reference}\t{n.booked_at.isoformat()}\t{n.amount} {n.currency}\t"
            f"{n.reference or '(no reference)'}\t{n.debtor_name or ''}".rstrip()
        )
    for s in reading.skipped:
        click.echo(f"skipped {s.path}: {s.reason}")
    click.echo(f"{len(reading.notices)} credit(s), {len(reading.skipped)} skipped")


@payments.command()
@click.option("--json", "as_json", is_flag=True)
@click.option("--limit", type=click.IntRange(1, 10_000), default=500, show_default=True)
@click.option("--db", "db_url", help="Database URL (default: NSW_DATABASE__URL).")
@click.pass_context
def exceptions(ctx: click.Context, as_json: bool, limit: int, db_url: str | None) -> None:
    """Notices not applied in full: unknown reference, wrong currency, cancelled invoice, overpaid."""

    async def go() -> list[dict[str, object]]:
        async with hub_database(db_url or settings_of(ctx).database.url) as engine:
            return await list_exceptions(engine, limit)

    found = run(go())
    if as_json:
        echo_json(found)
        return
    for row in found:
        click.echo(
            f"{row['outcome']:<18} {row['provider']}/{row['entryReference']}  {row['amount']} {row['currency']}  "
            f"ref {row['reference'] or '-'}  invoice of {row['submissionId'] or '-'}  {row['detail'] or ''}"
        )
    click.echo(f"{len(found)} exceptions", err=True)


@payments.command("import-camt054")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--account", help="The treasury account the file must be for (refused otherwise).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def import_camt054(ctx: click.Context, file: Path, account: str | None, as_json: bool) -> None:
    """Reconcile the booked credits of a camt.054 FILE into the hub's invoices; the status changes they cause
    are published. Exit 1 if the file is refused, 2 if some credits are exceptions."""
    try:
        notices = read_file(file, account=account).notices
    except InvalidInput as exc:
        _fail(exc)
        return

    async def go() -> ReconcileReport:
        async with open_payments(settings_of(ctx)) as service:
            return await service.import_notices(notices)

    report = run(go())
    outcomes = [
        {
            "entryReference": o.entry_reference,
            "outcome": o.outcome,
            "submissionId": o.submission_id,
            "applied": str(o.applied),
        }
        for o in report.outcomes
    ]
    if as_json:
        echo_json({"file": str(file), "outcomes": outcomes, "exceptions": len(report.exceptions)})
    else:
        for o in outcomes:
            click.echo(f"{o['outcome']:<18} {o['entryReference']}  {o['submissionId'] or '-'}  applied {o['applied']}")
        click.echo(f"{len(outcomes)} credit(s), {len(report.exceptions)} exception(s)", err=True)
    if report.exceptions:
        raise click.exceptions.Exit(2)
