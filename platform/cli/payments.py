"""``nsw payments``: the bank files of fee payments, for operators and tests, with no database.

``pain001`` writes the ISO 20022 credit-transfer file that pays one invoice into the treasury (a trader
hands it to the bank); ``read-camt054`` prints the credits a bank notification holds, as the hub would
reconcile them, and what it skips and why; ``reference`` prints an invoice number's RF reference.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import click

from singlewindow.platform.errors import InvalidInput
from singlewindow.platform.payments.provider import Party, PaymentOrder
from singlewindow.platform.payments.providers.iso20022.camt054 import read_file
from singlewindow.platform.payments.providers.iso20022.pain001 import message_id_for, write_pain001
from singlewindow.platform.payments.providers.money import check_currency, parse_amount
from singlewindow.platform.payments.references import creditor_reference, format_reference


def _fail(error: InvalidInput) -> None:
    """Print the error and each problem on its own line, then exit 1."""
    click.echo(f"error: {error.message}", err=True)
    for problem in error.problems:
        click.echo(f"problem {problem.path}: {problem.message} [{problem.code}]", err=True)
    raise click.exceptions.Exit(1)


@click.group()
def payments() -> None:
    """Fee payments: RF references, pain.001 payment files, camt.054 bank notifications."""


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
