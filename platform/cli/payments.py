"""``nsw payments``: what the provider notices could not settle (``exceptions``), for operators to resolve.

Notices themselves come in through the payment service (``PaymentService.import_notices``): the embedded
provider's bookings when a trader pays, a bank's camt.054 through ``nsw payments import`` (providers side).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import click

from singlewindow.platform.cli.runtime import echo_json, hub_database, run, settings_of
from singlewindow.platform.payments.provider import PaymentProvider
from singlewindow.platform.payments.reconcile import exceptions as list_exceptions
from singlewindow.platform.payments.service import PaymentService, payment_service
from singlewindow.platform.settings import Settings


@asynccontextmanager
async def open_payments(settings: Settings, provider: PaymentProvider | None = None) -> AsyncIterator[PaymentService]:
    """A payment service on a publishing-only hub (``import_notices`` publishes the statuses it causes)."""
    from singlewindow.platform.api.assembly import hub_from_settings  # the outer ring, only when needed

    async with hub_from_settings(settings, consume=False) as hub:
        yield payment_service(hub, settings.fees, provider)


@click.group()
def payments() -> None:
    """Payments: the notices providers reported, and the ones that could not be applied."""


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
