"""``nsw``: the command group. Subcommands live in sibling modules and are attached here lazily,
so one broken area (a missing optional dependency) does not take the others down."""

from __future__ import annotations

import sys

import click
from pydantic import ValidationError

from singlewindow.platform.cli.lazy import LazyGroup
from singlewindow.platform.errors import NswError
from singlewindow.platform.logs import configure_logging
from singlewindow.platform.settings import Settings

# command name -> "module:attribute" of a click command or group
SUBCOMMANDS: dict[str, str] = {
    "principals": "singlewindow.platform.cli.principals:principals",
    "specs": "singlewindow.platform.cli.specs:specs",
    "registry": "singlewindow.platform.cli.registry:registry",
    "routes": "singlewindow.platform.cli.routes:routes",
    "topology": "singlewindow.platform.cli.topology:topology",
    "dlq": "singlewindow.platform.cli.dlq:dlq",
    "adapter": "singlewindow.platform.cli.adapter:adapter",
    "hub": "singlewindow.platform.cli.hub:hub",
    "submit": "singlewindow.platform.cli.client:submit",
    "amend": "singlewindow.platform.cli.client:amend",
    "status": "singlewindow.platform.cli.client:status",
    "status-proof": "singlewindow.platform.cli.status_proof:status_proof",
    "cancel": "singlewindow.platform.cli.client:cancel",
    "answer": "singlewindow.platform.cli.client:answer",
    "demo": "singlewindow.platform.cli.demo:demo",
    "bench": "singlewindow.platform.cli.bench:bench",
    "border-event": "singlewindow.platform.cli.agency:border_event",
    "officer": "singlewindow.platform.cli.agency:officer",
    "partners": "singlewindow.platform.cli.partners:partners",
    "gateway": "singlewindow.platform.cli.gateway:gateway",
    "formats": "singlewindow.platform.cli.formats:formats",
    "report": "singlewindow.platform.cli.report:report",
    "portal": "singlewindow.platform.cli.portal:portal",
    "audit": "singlewindow.platform.cli.audit:audit",
    "fees": "singlewindow.platform.cli.fees:fees",
    "invoice": "singlewindow.platform.cli.fees:invoice",
    "payments": "singlewindow.platform.cli.payments:payments",
    "risk": "singlewindow.platform.cli.risk:risk",
}


@click.group(cls=LazyGroup, lazy=SUBCOMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="singlewindow", prog_name="nsw")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """National single window: submit once, every border agency answers, one decision.

    Settings come from NSW_ environment variables (nested with __, e.g. NSW_BROKER__URL) or the TOML
    file named by NSW_CONFIG_FILE.
    """
    try:
        settings = Settings()
    except ValidationError as exc:
        raise click.UsageError(f"invalid settings:\n{exc}") from exc
    configure_logging(settings.log)
    ctx.obj = settings


def main() -> None:
    """Console-script entry point: project errors become one clear line and exit code 1, no traceback."""
    try:
        # standalone_mode=False hands back ctx.exit(code) as a return value instead of exiting: pass it on,
        # or every command that reports failure that way would exit 0.
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except NswError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(1)
    if isinstance(code, int) and code:
        sys.exit(code)
