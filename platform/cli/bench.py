"""``nsw bench``: the project's benchmarks. Performance is measured here, not by timed tests; the figures go
into docs/performance.md. Each bench prints a table, or with ``--json`` one JSON document."""

from __future__ import annotations

import os
from collections.abc import Callable, Coroutine
from typing import Any, Protocol, TypeVar

import click

from singlewindow.platform.bench.report import BenchReport, render_table
from singlewindow.platform.cli.runtime import run, settings_of
from singlewindow.platform.logs import configure_logging

json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of a table.")


class _Report(Protocol):
    def to_json(self) -> str: ...


R = TypeVar("R", bound=_Report)


def _show(report: Coroutine[Any, Any, R], as_json: bool, render: Callable[[R], str]) -> None:
    result = run(report)
    click.echo(result.to_json() if as_json else render(result))


def _table(report: BenchReport) -> str:
    return render_table(report)


@click.group()
@click.pass_context
def bench(ctx: click.Context) -> None:
    """Benchmarks: broker, hub end to end, pipeline (hub vs raw broker), registry. They target only this
    machine and clean up after.

    The hub logs at warning level here unless NSW_LOG__LEVEL says otherwise (info logs every submission).
    """
    if "NSW_LOG__LEVEL" not in os.environ:
        configure_logging(settings_of(ctx).log.model_copy(update={"level": "warning"}))


@bench.command("broker")
@click.option("--amqp-url", default="amqp://guest:guest@127.0.0.1:5672/", show_default=True)
@click.option("--messages", type=int, default=10_000, show_default=True)
@click.option("--size", type=int, default=1024, show_default=True, help="Message body in bytes.")
@click.option("--window", type=int, default=256, show_default=True, help="Unconfirmed publishes and prefetch.")
@json_option
@click.pass_context
def broker_command(ctx: click.Context, amqp_url: str, messages: int, size: int, window: int, as_json: bool) -> None:
    """Publish-with-confirm and consume on a quorum queue in a fresh vhost: bare pika vs the Transport."""
    from singlewindow.platform.bench.broker import BrokerBenchOptions, run_broker_bench

    options = BrokerBenchOptions(amqp_url, messages, size, window)
    _show(run_broker_bench(options, settings_of(ctx).broker), as_json, _table)


@bench.command("hub")
@click.option("--amqp-url", default=None, help="RabbitMQ (with --database-url): K hub processes, fresh vhost.")
@click.option("--database-url", default=None, help="PostgreSQL server (maintenance database) for a fresh database.")
@click.option("--submissions", type=int, default=200, show_default=True)
@click.option("--concurrency", type=int, default=8, show_default=True, help="Submissions in flight.")
@click.option("--hubs", type=int, default=2, show_default=True, help="Hub processes (RabbitMQ mode only).")
@json_option
@click.pass_context
def hub_command(
    ctx: click.Context,
    amqp_url: str | None,
    database_url: str | None,
    submissions: int,
    concurrency: int,
    hubs: int,
    as_json: bool,
) -> None:
    """Submissions through the intake until every one is terminal, agencies deciding automatically.

    Without URLs: the embedded hub in this process (in-memory broker, SQLite). With --amqp-url and
    --database-url: K `nsw hub run` processes over HTTP on a fresh vhost and a fresh PostgreSQL database.
    """
    from singlewindow.platform.bench.hub import HubBenchOptions, run_hub_bench

    options = HubBenchOptions(amqp_url, database_url, submissions, concurrency, hubs)
    _show(run_hub_bench(options, settings_of(ctx)), as_json, _table)


@bench.command("pipeline")
@click.option("--amqp-url", default="amqp://guest:guest@127.0.0.1:5672/", show_default=True)
@click.option(
    "--database-url",
    default="postgresql://postgres@127.0.0.1:5432/postgres",
    show_default=True,
    help="PostgreSQL server (maintenance database) for a fresh database.",
)
@click.option("--agencies", type=int, default=5, show_default=True, help="Agency processes (raw: agency queues).")
@click.option("--submissions", type=int, default=1000, show_default=True)
@click.option("--rate", type=float, default=100.0, show_default=True, help="Open-loop submissions per second.")
@click.option("--hubs", type=int, default=1, show_default=True, help="nsw hub run processes.")
@click.option(
    "--sweep",
    default="32,128,512",
    show_default=True,
    help="Raw baseline: prefetch and confirm window values (every pair is run, the best kept).",
)
@json_option
@click.pass_context
def pipeline_command(
    ctx: click.Context,
    amqp_url: str,
    database_url: str,
    agencies: int,
    submissions: int,
    rate: float,
    hubs: int,
    sweep: str,
    as_json: bool,
) -> None:
    """The hub against the broker pattern under it, on the same RabbitMQ and PostgreSQL: hub docs/s over raw.

    First the raw baseline in plain pika (producer -> fan-out to one quorum queue per agency -> a consumer
    process each publishing a confirmed reply -> a collector), prefetch and window swept; then K hub processes
    with the agencies auto-deciding in their own processes, loaded open loop at --rate through the HTTP
    intake; then the ratio hub/raw, printed last.
    """
    from singlewindow.platform.bench.pipeline import PipelineBenchOptions, run_pipeline_bench
    from singlewindow.platform.bench.pipeline_report import PipelineReport

    try:
        values = tuple(int(value) for value in sweep.split(","))
    except ValueError as exc:
        raise click.BadParameter(
            f"comma-separated whole numbers expected, got {sweep!r}", param_hint="--sweep"
        ) from exc
    options = PipelineBenchOptions(amqp_url, database_url, agencies, submissions, rate, hubs, values)
    _show(run_pipeline_bench(options, settings_of(ctx)), as_json, PipelineReport.render)


@bench.command("registry")
@click.option("--database-url", default=None, help="Scratch SQLAlchemy URL; default a temporary SQLite file.")
@click.option("--count", type=int, default=500, show_default=True, help="Distinct schemas registered.")
@click.option("--concurrency", type=int, default=8, show_default=True)
@json_option
def registry_command(database_url: str | None, count: int, concurrency: int, as_json: bool) -> None:
    """New registrations and idempotent re-registrations per second (python -m singlewindow.registry.bench)."""
    from singlewindow.platform.bench.registry import RegistryBenchOptions, run_registry_bench

    options = RegistryBenchOptions(database_url, count, concurrency)
    _show(run_registry_bench(options), as_json, _table)
