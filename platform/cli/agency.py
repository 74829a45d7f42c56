"""``nsw border-event record|list`` and ``nsw officer next|decide``: an officer's commands against a running
hub's HTTP API (the agency services), with the officer's token."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import click

from singlewindow.platform.api.agency_client import AgencyHubClient
from singlewindow.platform.cli.runtime import call_hub, echo_json, json_object_file

T = TypeVar("T")


def _connection(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option("--token", envvar="NSW_TOKEN", help="Officer's bearer token (default: $NSW_TOKEN).")(command)
    return click.option("--url", envvar="NSW_HUB_URL", help="Hub HTTP URL (default: $NSW_HUB_URL or hub settings).")(
        command
    )


def _call(
    ctx: click.Context, url: str | None, token: str | None, work: Callable[[AgencyHubClient], Coroutine[Any, Any, T]]
) -> T:
    return call_hub(ctx, url, token, AgencyHubClient, work)


@click.group(name="border-event")
def border_event() -> None:
    """A vehicle's arrival at or exit from a border crossing point (border-event documents)."""


@border_event.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_connection
@click.pass_context
def record(ctx: click.Context, file: Path, url: str | None, token: str | None) -> None:
    """Record the border-event document in FILE (validated by the hub, linked to its consignment by UCR)."""
    stored = _call(ctx, url, token, lambda client: client.record_border_event(json_object_file(file)))
    linked = f"submission {stored['submissionId']}" if stored.get("submissionId") else "no submission yet"
    where = f"{stored['eventType']} at {stored['borderCrossingPoint']}"
    click.echo(f"{stored['documentId']}  {where}  ucr {stored['ucr']}  {linked}")


@border_event.command(name="list")
@click.option("--ucr", required=True, help="The consignment's UCR.")
@_connection
@click.pass_context
def list_events(ctx: click.Context, ucr: str, url: str | None, token: str | None) -> None:
    """The border events of one consignment, in the order they happened (JSON)."""
    echo_json(_call(ctx, url, token, lambda client: client.border_events(ucr)))


@click.group()
def officer() -> None:
    """The officer queue of your agency: pull the next document, decide on it."""


@officer.command(name="next")
@_connection
@click.pass_context
def next_document(ctx: click.Context, url: str | None, token: str | None) -> None:
    """Claim the next waiting document and print it (JSON); exit 3 when nothing waits."""
    pulled = _call(ctx, url, token, lambda client: client.next_document())
    if pulled is None:
        click.echo("nothing waits", err=True)
        raise SystemExit(3)
    echo_json(pulled)


@officer.command()
@click.argument("ticket", type=int)
@click.argument("status")
@click.option("--reason", "reasons", multiple=True, help="CODE:text, repeatable (REJECTED needs one).")
@click.option("--condition", "conditions", multiple=True, help="CODE:text, repeatable.")
@click.option("--channel", default=None, help="GREEN, YELLOW or RED.")
@click.option("--question", default=None, help="The question, with status QUERY.")
@click.option("--name", "officer_name", default=None, help="Your name as the trader sees it.")
@_connection
@click.pass_context
def decide(
    ctx: click.Context, ticket: int, status: str, reasons: tuple[str, ...], conditions: tuple[str, ...],
    channel: str | None, question: str | None, officer_name: str | None, url: str | None, token: str | None,
) -> None:  # fmt: skip
    """Decide on the document TICKET you pulled: STATUS is ACCEPTED, ACCEPTED_WITH_CONDITIONS, ..."""

    def coded(values: tuple[str, ...]) -> list[dict[str, str]]:
        parts = [value.partition(":") for value in values]
        return [{"code": code.strip(), "text": text.strip()} for code, _, text in parts]

    body: dict[str, Any] = {
        "ticket": ticket,
        "status": status.upper(),
        "reasons": coded(reasons),
        "conditions": coded(conditions),
    }
    body |= {"channel": channel} if channel else {}
    body |= {"query": {"question": question}} if question else {}
    body |= {"officerName": officer_name} if officer_name else {}
    recorded = _call(ctx, url, token, lambda client: client.decide(body))
    on = f"{recorded['submissionId']} v{recorded['version']}"
    click.echo(f"decision {recorded['id']}: {recorded['decision']['status']} on {on}")
