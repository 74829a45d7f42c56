"""``nsw registry``: serve the schema registry, load the message specs into it, check a schema file.

``load`` and ``check`` work against a running registry (``--url``, default the hub's NSW_REGISTRY__URL) or
directly on a registry database (``--db``); ``serve`` runs the Confluent-compatible REST API and, with
``--grpc-port``, the gRPC RegistryService beside it. The CLI is the outermost ring, so it is where the
registry (which knows no principals) gets its write guard over the hub's principals store.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click

from singlewindow.platform.cli.runtime import hub_database
from singlewindow.platform.identity import PrincipalStore
from singlewindow.platform.identity.registry_guard import PrincipalWriteGuard
from singlewindow.platform.settings import Settings
from singlewindow.registry.client.http import RegistryClient
from singlewindow.registry.errors import RegistryError
from singlewindow.registry.loader import HttpTarget, RegistryTarget, ServiceTarget, load_specs, schema_type_of
from singlewindow.registry.models import SchemaType
from singlewindow.registry.server import open_service, serve
from singlewindow.registry.settings import RegistrySettings

T = TypeVar("T")


class RegistryUnavailable(click.ClickException):
    """The registry could not answer (exit 3), told apart from an incompatible schema (exit 1)."""

    exit_code = 3


@click.group()
def registry() -> None:
    """The schema registry (Confluent-compatible REST API and gRPC RegistryService)."""


@registry.command("serve")
@click.option("--db", "db_url", help="SQLAlchemy URL (default NSW_REGISTRY_DB_URL or sqlite nsw-registry.db).")
@click.option("--http-port", type=click.IntRange(0, 65535), help="REST port (default 8081).")
@click.option("--grpc-port", type=click.IntRange(0, 65535), help="Also serve gRPC (RegistryService) on this port.")
@click.option("--host", help="Address to listen on (default 127.0.0.1).")
@click.option(
    "--principals-db", "principals_db", help="Database holding the principals (default: the hub's NSW_DATABASE__URL)."
)
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="PEM certificate.")
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="PEM private key.")
@click.pass_context
def serve_command(
    ctx: click.Context,
    db_url: str | None,
    http_port: int | None,
    grpc_port: int | None,
    host: str | None,
    principals_db: str | None,
    tls_cert: Path | None,
    tls_key: Path | None,
) -> None:
    """Serve the registry until interrupted. Reads are open; writes need a principal's token."""
    overrides = {
        "db_url": db_url,
        "http_port": http_port,
        "grpc_port": grpc_port,
        "host": host,
        "tls_cert_file": tls_cert,
        "tls_key_file": tls_key,
    }
    given = {k: v for k, v in overrides.items() if v is not None}
    try:  # validated again (model_copy would not), so a lone --tls-cert is refused
        settings = RegistrySettings.model_validate({**RegistrySettings().model_dump(), **given})
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    hub: Settings | None = ctx.obj if isinstance(ctx.obj, Settings) else None
    principals_url = principals_db or (hub.database.url if hub else Settings().database.url)

    async def run() -> None:
        async with hub_database(principals_url) as engine:
            await serve(settings, PrincipalWriteGuard(PrincipalStore(engine)))

    asyncio.run(run())


def _run_on_target(
    ctx: click.Context,
    url: str | None,
    db_url: str | None,
    job: Callable[[RegistryTarget], Awaitable[T]],
    token: str | None = None,
) -> T:
    settings: Settings | None = ctx.obj if isinstance(ctx.obj, Settings) else None
    url = url or (settings.registry.url if settings and not db_url else None)

    async def run() -> T:
        if url:
            async with RegistryClient(url, token=token) as client:
                return await job(HttpTarget(client))
        base = RegistrySettings()
        service = await open_service(base.model_copy(update={"db_url": db_url}) if db_url else base)
        try:
            return await job(ServiceTarget(service))
        finally:
            await service.store.close()

    try:
        return asyncio.run(run())
    except RegistryError as exc:
        raise RegistryUnavailable(f"registry error {exc.error_code}: {exc.message}") from exc


@registry.command("load")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--url", help="A running registry's URL (default NSW_REGISTRY__URL).")
@click.option("--db", "db_url", help="Load straight into this registry database instead.")
@click.option("--token", envvar="NSW_TOKEN", help="Bearer token of an operator (or agency) principal (NSW_TOKEN).")
@click.pass_context
def load_command(ctx: click.Context, directory: Path, url: str | None, db_url: str | None, token: str | None) -> None:
    """Register every documents/<type>/schema.avsc and schema.json under DIRECTORY (idempotent).
    Through --url this is a write: it needs --token (or NSW_TOKEN) of a principal allowed to write."""
    results = _run_on_target(ctx, url, db_url, lambda target: load_specs(target, directory), token)
    failed = [r for r in results if r.error]
    for result in results:
        status = f"id {result.schema_id}" if result.error is None else f"FAILED {result.error}"
        click.echo(f"{result.spec.subject}: {status}")
    click.echo(f"{len(results) - len(failed)} of {len(results)} spec schemas registered (BACKWARD_TRANSITIVE)")
    if failed:
        raise SystemExit(1)


@registry.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--subject", required=True, help="Subject the schema would be registered under.")
@click.option("--type", "schema_type", type=click.Choice(["AVRO", "JSON"]), help="Default: from the extension.")
@click.option("--url", help="A running registry's URL (default NSW_REGISTRY__URL).")
@click.option("--db", "db_url", help="Check against this registry database instead.")
@click.pass_context
def check_command(
    ctx: click.Context, file: Path, subject: str, schema_type: str | None, url: str | None, db_url: str | None
) -> None:
    """Exit 1 with the reasons when FILE would be refused under SUBJECT's compatibility level."""
    try:
        kind = SchemaType(schema_type) if schema_type else schema_type_of(file)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    text = file.read_text()
    reasons = _run_on_target(ctx, url, db_url, lambda target: target.check(subject, text, kind))
    if not reasons:
        click.echo(f"{file}: compatible with {subject}")
        return
    click.echo(f"{file}: INCOMPATIBLE with {subject}")
    for reason in reasons:
        click.echo(f"  - {reason}")
    raise SystemExit(1)
