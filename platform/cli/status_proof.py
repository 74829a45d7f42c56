"""``nsw status-proof show|verify``: the hub's signed status statement (the decision's QR code) from a
terminal, e.g. an officer typing or pasting a scanned payload."""

from __future__ import annotations

import click

from singlewindow.platform.cli.client import _call, _connection
from singlewindow.platform.cli.runtime import echo_json


@click.group("status-proof")
def status_proof() -> None:
    """Signed status proofs: issue one for a submission, verify a scanned payload."""


@status_proof.command()
@click.argument("submission_id")
@_connection
@click.pass_context
def show(ctx: click.Context, submission_id: str, url: str | None, token: str | None, as_json: bool) -> None:
    """Print the signed payload of SUBMISSION_ID's status now (what its QR code holds)."""
    proof = _call(ctx, url, token, lambda client: client.status_proof(submission_id))
    echo_json(proof) if as_json else click.echo(proof["payload"])


@status_proof.command()
@click.argument("payload")
@_connection
@click.pass_context
def verify(ctx: click.Context, payload: str, url: str | None, token: str | None, as_json: bool) -> None:
    """Verify PAYLOAD with the hub; exit 1 unless it is genuine and still the latest status."""
    found = _call(ctx, url, token, lambda client: client.verify_status_proof(payload))
    if as_json:
        echo_json(found)
    else:
        statement = found["statement"]
        click.echo(f"{found['verdict']}: {found['message']}")
        click.echo(
            f"  {statement['submissionId']}  version {statement['version']}  ucr {statement['ucr']}  "
            f"{statement['status']} (sequence {statement['statusSequence']}) at {statement['issuedAt']}"
        )
        if found["latest"] and not found["current"]:
            latest = found["latest"]
            click.echo(
                f"  latest: version {latest['version']}  {latest['status']} (sequence {latest['statusSequence']})"
            )
    ctx.exit(0 if found["current"] else 1)
