"""``nsw hub run``: one hub process (intake APIs, router, aggregator) until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import signal

import click

from singlewindow.platform import collector
from singlewindow.platform.cli.runtime import run, settings_of
from singlewindow.platform.settings import Settings


@click.group()
def hub() -> None:
    """The hub process."""


def _with_ports(settings: Settings, grpc_port: int | None, http_port: int | None, metrics_port: int | None) -> Settings:
    changes = {
        key: value
        for key, value in (("grpc_port", grpc_port), ("http_port", http_port), ("metrics_port", metrics_port))
        if value is not None
    }
    return settings.model_copy(update={"hub": settings.hub.model_copy(update=changes)}) if changes else settings


@hub.command("run")
@click.option("--grpc-port", type=int, default=None, help="Override hub.grpc_port.")
@click.option("--http-port", type=int, default=None, help="Override hub.http_port.")
@click.option("--metrics-port", type=int, default=None, help="Override hub.metrics_port (0 disables).")
@click.option("--grace", type=float, default=10.0, show_default=True, help="Seconds running calls get at shutdown.")
@click.pass_context
def run_command(
    ctx: click.Context, grpc_port: int | None, http_port: int | None, metrics_port: int | None, grace: float
) -> None:
    """Serve gRPC, HTTP and metrics, route and aggregate; several processes share one PostgreSQL database.

    Without broker.url (NSW_BROKER__URL) it runs on an in-memory broker for local development. With one, it
    uses RabbitMQ as declared by `nsw topology declare` (it declares nothing itself). Schemas come from the
    registry at registry.url, or from a registry kept in the hub database when that is unset.
    """
    from singlewindow.platform.api.serve import Endpoints, serve

    settings = _with_ports(settings_of(ctx), grpc_port, http_port, metrics_port)

    def ready(endpoints: Endpoints) -> None:
        collector.freeze_startup()
        host = settings.hub.host
        scheme = "https" if settings.hub.tls_cert_file else "http"
        metrics = f", metrics {scheme}://{host}:{endpoints.metrics_port}/metrics" if endpoints.metrics_port else ""
        click.echo(
            f"hub serving: gRPC {host}:{endpoints.grpc_port}, HTTP {scheme}://{host}:{endpoints.http_port}{metrics}"
        )
        if endpoints.in_memory_broker:
            click.echo("in-memory broker: local development only; agency adapters cannot connect", err=True)

    async def _go() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await serve(settings, stop, ready, grace_seconds=grace)
        click.echo("hub stopped")

    run(_go())
