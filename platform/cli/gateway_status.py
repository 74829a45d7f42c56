"""``nsw gateway status``: per partner, the link, the backlog, receipts, and what waits or was set aside.

Read from the gateway's own store (the config file ``nsw adapter run crossborder-gateway`` reads) and, when a
broker is configured, from RabbitMQ's management API (the Shovel's state and the outbound queue's depth).
``--metrics`` prints the same numbers in Prometheus' text format, for a node exporter's textfile collector.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click
from prometheus_client import CollectorRegistry, Gauge, generate_latest

from singlewindow.adapters.gateway.config_file import gateway_config
from singlewindow.adapters.gateway.store import GatewayStore, PartnerCounts
from singlewindow.platform.cli.gateway_link import link_state
from singlewindow.platform.cli.runtime import echo_json, run, settings_of
from singlewindow.platform.errors import NswError
from singlewindow.platform.settings import Settings
from singlewindow.platform.state.common import utcnow
from singlewindow.platform.topology import names
from singlewindow.platform.topology.management import ManagementClient


async def _broker_facts(settings: Settings, partner: str) -> dict[str, Any]:
    """The link's state and the outbound backlog, or why they are unknown (no broker, management down)."""
    if settings.broker.url is None:
        return {"link": "unknown (no broker configured: NSW_BROKER__URL)", "backlog": None}
    try:
        state = await link_state(partner, settings)
        async with ManagementClient.from_settings(settings.broker) as client:
            queue = await client.get_queue(settings.broker.vhost, names.crossborder_out_queue(partner))
        return {"link": state, "backlog": queue.get("messages")}
    except NswError as exc:
        return {"link": f"unknown ({exc.message})", "backlog": None}


def _age(moment: datetime | None) -> float | None:
    return round((utcnow() - moment).total_seconds(), 1) if moment else None


def _report(partner: str, counts: PartnerCounts, broker: dict[str, Any]) -> dict[str, Any]:
    return {
        "partner": partner.upper(),
        "link": broker["link"],
        "backlog": broker["backlog"],
        "sent": counts.sent,
        "lastSequenceSent": counts.last_sequence_sent,
        "unreceipted": counts.unreceipted,
        "oldestUnreceiptedAgeSeconds": _age(counts.oldest_unreceipted_at),
        "lastReceiptAt": counts.last_receipt_at.isoformat() if counts.last_receipt_at else None,
        "received": counts.received,
        "highestSequenceReceived": counts.highest_sequence_received,
        "waiting": counts.waiting,
        "rejected": counts.rejected,
        "quarantined": counts.quarantined,
        "redeliveries": counts.redeliveries,
    }


async def _status(settings: Settings, config_paths: tuple[Path, ...]) -> list[dict[str, Any]]:
    reports = []
    for path in config_paths:
        config = gateway_config(path)
        partner = config.partner.lower()
        store = await GatewayStore.open(config.store_url)
        try:
            counts = await store.counts(partner)
        finally:
            await store.close()
        reports.append(_report(partner, counts, await _broker_facts(settings, partner)))
    return reports


def _metrics(reports: list[dict[str, Any]]) -> bytes:
    registry = CollectorRegistry()
    gauges = {
        key: Gauge(f"nsw_gateway_{name}", text, ["partner"], registry=registry)
        for key, name, text in (
            ("backlog", "backlog", "Envelopes waiting in crossborder.out for the link"),
            ("unreceipted", "unreceipted", "Envelopes the partner has not receipted"),
            ("oldestUnreceiptedAgeSeconds", "oldest_unreceipted_age_seconds", "Age of the oldest unreceipted"),
            ("waiting", "waiting", "Partner documents waiting for a document they refer to"),
            ("quarantined", "quarantine_held", "Partner messages held in quarantine"),
        )
    }
    up = Gauge("nsw_gateway_link_up", "1 when the Shovel to the partner is running", ["partner"], registry=registry)
    for report in reports:
        for key, gauge in gauges.items():
            if report[key] is not None:
                gauge.labels(report["partner"]).set(report[key])
        up.labels(report["partner"]).set(1 if report["link"] == "running" else 0)
    return generate_latest(registry)


@click.command()
@click.option(
    "--config",
    "config_paths",
    required=True,
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A gateway's config file (once per partner).",
)
@click.option("--json", "as_json", is_flag=True)
@click.option("--metrics", "as_metrics", is_flag=True, help="Prometheus text format.")
@click.pass_context
def status(ctx: click.Context, config_paths: tuple[Path, ...], as_json: bool, as_metrics: bool) -> None:
    """Per partner: link state, backlog, last receipt, oldest unreceipted envelope, waiting, quarantined."""
    reports = run(_status(settings_of(ctx), config_paths))
    if as_json:
        echo_json(reports)
        return
    if as_metrics:
        click.echo(_metrics(reports).decode(), nl=False)
        return
    for r in reports:
        oldest = r["oldestUnreceiptedAgeSeconds"]
        click.echo(
            f"partner {r['partner']}: link {r['link']}, backlog {r['backlog'] if r['backlog'] is not None else '?'}"
        )
        click.echo(
            f"  sent {r['sent']} (last sequence {r['lastSequenceSent']}), unreceipted {r['unreceipted']}"
            + (f" (oldest {oldest:.0f} s)" if oldest is not None else "")
            + f", last receipt {r['lastReceiptAt'] or 'never'}"
        )
        click.echo(
            f"  received {r['received']} (highest sequence {r['highestSequenceReceived']}), waiting {r['waiting']}, "
            f"rejected {r['rejected']}, quarantined {r['quarantined']}, redeliveries {r['redeliveries']}"
        )
