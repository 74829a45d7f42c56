"""``nsw submit|amend|status|cancel|answer``: a trader's commands against a running hub's HTTP API."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import click

from singlewindow.platform.api.client import HubClient
from singlewindow.platform.cli.runtime import call_hub, echo_json

T = TypeVar("T")
TERMINAL = {"CLEARED", "REJECTED", "CANCELLED"}


def _connection(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")(command)
    command = click.option("--token", envvar="NSW_TOKEN", help="Bearer token (default: $NSW_TOKEN).")(command)
    return click.option("--url", envvar="NSW_HUB_URL", help="Hub HTTP URL (default: $NSW_HUB_URL or hub settings).")(
        command
    )


def _call(
    ctx: click.Context, url: str | None, token: str | None, work: Callable[[HubClient], Coroutine[Any, Any, T]]
) -> T:
    return call_hub(ctx, url, token, HubClient, work)


def _query_text(query: dict[str, Any] | None) -> str | None:
    """The question, then the fields it is about (JSON pointers into the agency's view) if the agency named any."""
    if not query:
        return None
    fields = query.get("fields") or []
    return str(query.get("question", "")) + (f" [fields: {', '.join(fields)}]" if fields else "")


def print_submission(submission: dict[str, Any]) -> None:
    click.echo(
        f"{submission['submissionId']}  {submission['status']}  version {submission['version']}  "
        f"ucr {submission['ucr']}  reference {submission['traderReference']}"
    )
    for recipient in submission["recipients"]:
        decision = recipient.get("decision") or {}
        extra = ", ".join(
            part
            for part in (
                decision.get("channel"),
                "; ".join(c["text"] for c in decision.get("conditions", [])),
                "; ".join(r.get("text", "") for r in decision.get("reasons", [])),
                _query_text(decision.get("query")),
            )
            if part
        )
        click.echo(f"  {recipient['recipient']:<14} {recipient['effectiveStatus']:<26} {extra}".rstrip())


def _read_document(file: Path) -> Any:
    try:
        return json.loads(file.read_text())
    except (OSError, ValueError) as exc:
        raise click.UsageError(f"{file} is not a JSON document: {exc}") from exc


async def _follow(client: HubClient, submission: dict[str, Any], as_json: bool) -> dict[str, Any]:
    """Print status events until this version's terminal status; events of earlier versions (the stream
    replays the submission's history) are printed but never end the watch."""
    version = submission["version"]
    async for event in client.watch(submission["submissionId"]):
        if not as_json:
            who = event.get("recipient") or event.get("actor") or ""
            click.echo(f"  {event['at']}  {event['kind']:<15} {event.get('status') or '':<24} {who}")
        if (
            event["kind"] == "STATUS_CHANGED"
            and event.get("status") in TERMINAL
            and (event.get("version") or version) >= version
        ):
            break
    return await client.get(submission["submissionId"])


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--type", "document_type", default="consignment", show_default=True, help="Document type.")
@click.option("--reference", default=None, help="Trader reference (default: the document's traderReference).")
@click.option("--declarant", default=None, help="The trader a customs broker submits for.")
@click.option("--watch", is_flag=True, help="Follow status changes until a terminal status.")
@_connection
@click.pass_context
def submit(
    ctx: click.Context,
    file: Path,
    document_type: str,
    reference: str | None,
    declarant: str | None,
    watch: bool,
    url: str | None,
    token: str | None,
    as_json: bool,
) -> None:
    """Submit a document FILE (JSON) once; every agency concerned gets its part."""
    document = _read_document(file)

    async def work(client: HubClient) -> dict[str, Any]:
        answer = await client.submit(document, document_type, reference, declarant)
        submission = answer["submission"]
        if not as_json:
            state = "received" if answer["created"] else "already received"
            click.echo(f"{state}: {submission['submissionId']} ({submission['status']})")
        if not watch or submission["terminal"]:
            return submission  # type: ignore[no-any-return]
        return await _follow(client, submission, as_json)

    submission = _call(ctx, url, token, work)
    if as_json:
        echo_json(submission)
    elif watch:
        print_submission(submission)


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--submission", "submission_id", required=True, help="The submission FILE is a new version of.")
@click.option("--watch", is_flag=True, help="Follow status changes until the new version's terminal status.")
@_connection
@click.pass_context
def amend(
    ctx: click.Context,
    file: Path,
    submission_id: str,
    watch: bool,
    url: str | None,
    token: str | None,
    as_json: bool,
) -> None:
    """Amend a submission with document FILE (JSON): a new version, whose recipients are routed afresh."""
    document = _read_document(file)

    async def work(client: HubClient) -> dict[str, Any]:
        submission = await client.amend(submission_id, document)
        if not as_json:
            version, state = submission["version"], submission["status"]
            click.echo(f"amended: {submission['submissionId']} version {version} ({state})")
        if not watch or submission["terminal"]:
            return submission
        return await _follow(client, submission, as_json)

    submission = _call(ctx, url, token, work)
    if as_json:
        echo_json(submission)
    elif watch:
        print_submission(submission)


@click.command()
@click.argument("submission_id")
@_connection
@click.pass_context
def status(ctx: click.Context, submission_id: str, url: str | None, token: str | None, as_json: bool) -> None:
    """Show a submission: its consolidated status and each recipient's."""
    submission = _call(ctx, url, token, lambda client: client.get(submission_id))
    echo_json(submission) if as_json else print_submission(submission)


@click.command()
@click.argument("submission_id")
@click.option("--reason", default=None, help="Why (recorded in the history).")
@_connection
@click.pass_context
def cancel(
    ctx: click.Context, submission_id: str, reason: str | None, url: str | None, token: str | None, as_json: bool
) -> None:
    """Cancel a submission."""
    submission = _call(ctx, url, token, lambda client: client.cancel(submission_id, reason))
    echo_json(submission) if as_json else print_submission(submission)


@click.command()
@click.argument("submission_id")
@click.argument("recipient")
@click.argument("text")
@_connection
@click.pass_context
def answer(
    ctx: click.Context, submission_id: str, recipient: str, text: str, url: str | None, token: str | None, as_json: bool
) -> None:
    """Answer RECIPIENT's query on a submission with TEXT."""
    submission = _call(ctx, url, token, lambda client: client.answer(submission_id, recipient, text))
    echo_json(submission) if as_json else print_submission(submission)
