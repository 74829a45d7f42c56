"""``nsw report trs|trade``: the time-release and trade figures from the hub database, as a table, JSON or
CSV. The same figures as ``GET /v1/reports/...`` and the dashboard (singlewindow.platform.reports)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import click

from singlewindow.platform.cli.runtime import echo_json, hub_database, run, settings_of
from singlewindow.platform.reports import (
    Period,
    ReportService,
    TimeReleaseReport,
    TradeReport,
    parse_period,
    time_release_csv,
    trade_csv,
)
from singlewindow.platform.reports.durations import readable

T = TypeVar("T")


def _options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in (
        click.option("--db", "db_url", help="Database URL (default: NSW_DATABASE__URL)."),
        click.option("--to", "end", metavar="DATE", help="Last day, YYYY-MM-DD (UTC), included."),
        click.option("--from", "start", metavar="DATE", help="First day, YYYY-MM-DD (UTC)."),
        click.option("--csv", "as_csv", is_flag=True, help="CSV (one long table) instead of text."),
        click.option("--json", "as_json", is_flag=True, help="JSON instead of text."),
    ):
        command = option(command)
    return command


def _figures(
    ctx: click.Context, db_url: str | None, start: str | None, end: str | None,
    build: Callable[[ReportService, Period], Coroutine[Any, Any, T]],
) -> T:  # fmt: skip
    settings = settings_of(ctx)
    period = parse_period(start, end)

    async def go() -> T:
        async with hub_database(db_url or settings.database.url) as engine:
            return await build(ReportService(engine, settings.gateway.country), period)

    return run(go())


def _period(period: Period) -> str:
    return f"{period.start or 'the beginning'} to {period.end or 'now'}"


def _trs_text(report: TimeReleaseReport) -> None:
    click.echo(f"Time release, consignments lodged {_period(report.period)}")
    click.echo(
        f"  {report.consignments} consignments, {report.released} released, {report.arrived} arrived, "
        f"{report.exited} exited, {report.pre_arrival_lodgements} lodged before arrival"
    )
    click.echo(f"  {'segment':<24}{'count':>7}  {'median':<16}90th percentile")
    for name, d in report.segments.items():
        click.echo(f"  {name:<24}{d.count:>7}  {readable(d.median_seconds):<16}{readable(d.p90_seconds)}")
    for title, groups in (
        ("agency", report.by_agency),
        ("crossing point", report.by_crossing_point),
        ("day", report.by_day),
    ):
        click.echo(f"By {title}:")
        for g in groups:
            spans = ", ".join(
                f"{name} {readable(d.median_seconds)} / {readable(d.p90_seconds)}" for name, d in g.segments.items()
            )
            click.echo(f"  {g.key:<16}{g.consignments:>5}  {spans}")
    click.echo("Channels: " + ", ".join(f"{name} {count}" for name, count in report.channels.items()))
    click.echo("Backlog now:")
    for b in report.backlog:
        click.echo(
            f"  {b.agency:<16}awaiting {b.awaiting_decision}, held {b.held}, overdue {b.overdue}, "
            f"officer queue {b.officer_waiting} waiting / {b.officer_claimed} claimed"
        )


def _trade_text(report: TradeReport) -> None:
    click.echo(f"Trade, declarations lodged {_period(report.period)}: {report.declarations}")
    for name, rows in report.breakdowns.items():
        click.echo(f"{name}:")
        for row in rows:
            values = ", ".join(f"{amount} {currency}" for currency, amount in sorted(row.value.items())) or "-"
            click.echo(
                f"  {row.key:<9}{row.direction:<9}{len(row.declarations):>5} decl {row.goods_items:>5} items  "
                f"{row.net_mass_kg} kg  {values}"
            )


@click.group()
def report() -> None:
    """Time-release (WCO TRS) and trade figures from the hub's own records."""


@report.command()
@_options
@click.pass_context
def trs(
    ctx: click.Context, as_json: bool, as_csv: bool, start: str | None, end: str | None, db_url: str | None
) -> None:
    """Median and 90th percentile from arrival to release (and each segment), per agency, crossing point and
    day; control channel shares; what waits now."""
    found = _figures(ctx, db_url, start, end, lambda service, period: service.time_release(period))
    if as_json:
        echo_json(found.as_dict())
    elif as_csv:
        click.echo(time_release_csv(found), nl=False)
    else:
        _trs_text(found)


@report.command()
@_options
@click.pass_context
def trade(
    ctx: click.Context, as_json: bool, as_csv: bool, start: str | None, end: str | None, db_url: str | None
) -> None:
    """Goods items, net mass and statistical value by HS chapter, partner country and month."""
    found = _figures(ctx, db_url, start, end, lambda service, period: service.trade(period))
    if as_json:
        echo_json(found.as_dict())
    elif as_csv:
        click.echo(trade_csv(found), nl=False)
    else:
        _trade_text(found)
