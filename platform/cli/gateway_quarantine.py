"""``nsw gateway quarantine list|show|release``: what a partner sent that failed verification.

A quarantined message was never submitted. ``release`` records the operator's decision; the running
gateway then verifies the message again with the profile as it is now (a partner key imported since, a
clock fixed) and applies it if it passes: release never bypasses the signature check.
"""

from __future__ import annotations

import getpass
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import click

from singlewindow.adapters.gateway.config_file import gateway_config
from singlewindow.adapters.gateway.store import GatewayStore, Quarantined
from singlewindow.platform.cli.runtime import echo_json, run

CONFIG = click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="The gateway's config file (the one nsw adapter run crossborder-gateway reads).",
)


@asynccontextmanager
async def _store(config_path: Path) -> AsyncIterator[tuple[str, GatewayStore]]:
    config = gateway_config(config_path)
    store = await GatewayStore.open(config.store_url)
    try:
        yield config.partner.lower(), store
    finally:
        await store.close()


def _entry(entry: Quarantined, *, raw: bool = False) -> dict[str, object]:
    shown: dict[str, object] = {
        "id": entry.id,
        "partner": entry.partner,
        "envelopeId": entry.envelope_id,
        "messageType": entry.message_type,
        "reasonCode": entry.reason_code,
        "reason": entry.reason_text,
        "receivedAt": entry.received_at.isoformat(),
        "releasedAt": entry.released_at.isoformat() if entry.released_at else None,
        "releasedBy": entry.released_by,
        "releaseNote": entry.release_note,
        "reprocessResult": entry.reprocess_result,
    }
    if raw:
        shown["raw"] = entry.raw
    return shown


@click.group()
def quarantine() -> None:
    """Messages from a partner that failed verification: list, show, release."""


@quarantine.command(name="list")
@CONFIG
@click.option("--all", "everything", is_flag=True, help="Released entries too.")
@click.option("--json", "as_json", is_flag=True)
def list_(config_path: Path, everything: bool, as_json: bool) -> None:
    """Quarantined messages, oldest first."""

    async def listed() -> list[Quarantined]:
        async with _store(config_path) as (partner, store):
            return await store.quarantined(partner, released=everything)

    entries = run(listed())
    if as_json:
        echo_json([_entry(e) for e in entries])
        return
    if not entries:
        click.echo("quarantine is empty")
    for e in entries:
        state = f"released by {e.released_by}" if e.released_at else "held"
        click.echo(
            f"{e.id:>6}  {e.received_at:%Y-%m-%d %H:%M:%S}  {e.reason_code:<22} {state:<24} {e.reason_text[:80]}"
        )


@quarantine.command()
@CONFIG
@click.argument("entry_id", type=click.IntRange(min=1))
def show(config_path: Path, entry_id: int) -> None:
    """One entry, with the message as it arrived."""

    async def shown() -> Quarantined:
        async with _store(config_path) as (_, store):
            return await store.quarantined_entry(entry_id)

    echo_json(_entry(run(shown()), raw=True))


@quarantine.command()
@CONFIG
@click.argument("entry_id", type=click.IntRange(min=1))
@click.option("--note", required=True, help="Why it is released (kept with the entry).")
def release(config_path: Path, entry_id: int, note: str) -> None:
    """Let the gateway verify ENTRY_ID again and apply it if it now passes."""

    async def released() -> Quarantined:
        async with _store(config_path) as (_, store):
            return await store.release(entry_id, getpass.getuser(), note)

    entry = run(released())
    click.echo(
        f"released {entry.id}; the gateway verifies it again on its next sweep (see: quarantine show {entry.id})"
    )
