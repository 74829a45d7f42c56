"""``nsw dlq``: see and replay dead-lettered messages (administrator credentials for the management API,
``broker.url`` credentials for the replay itself)."""

from __future__ import annotations

import json
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import click

from singlewindow.platform.catalogue import load_catalogue
from singlewindow.platform.cli.runtime import run, settings_of
from singlewindow.platform.dlq import ReplayReport, dead_letter_queues, list_counts, newest_death, replay, show
from singlewindow.platform.errors import ConfigurationError
from singlewindow.platform.hub.consumer import PARKED_BY_HEADER
from singlewindow.platform.settings import Settings
from singlewindow.platform.topology import build_topology
from singlewindow.platform.topology.management import ManagementClient

_VHOST = click.option("--vhost", default=None, help="Virtual host (default: the broker URL's, else broker.vhost).")
_QUEUE = click.option("--queue", "queue", default=None, help="One dead-letter queue (default: all of them).")


def _queues(settings: Settings, queue: str | None) -> list[str]:
    known = dead_letter_queues(build_topology(load_catalogue(), settings.topology))
    if queue is None:
        return known
    if queue not in known:
        raise ConfigurationError(f"{queue!r} is not a dead-letter queue; known: {', '.join(known)}")
    return [queue]


def _vhost(settings: Settings, option: str | None) -> str:
    """``--vhost``, else the broker URL's vhost (as the transport connects), else the broker.vhost setting."""
    return option or unquote(urlsplit(settings.broker.url or "").path.lstrip("/")) or settings.broker.vhost


def _on_vhost(settings: Settings, vhost: str) -> Settings:
    """The same settings with the broker URL pointing at ``vhost``: the replaying hub works where the DLQ is."""
    if not settings.broker.url:
        return settings
    url = urlunsplit(urlsplit(settings.broker.url)._replace(path="/" + quote(vhost, safe="")))
    return settings.model_copy(update={"broker": settings.broker.model_copy(update={"url": url, "vhost": vhost})})


@click.group()
def dlq() -> None:
    """Dead-letter queues: counts, a look at messages, replay to where they were first published."""


@dlq.command(name="list")
@_VHOST
@_QUEUE
@click.pass_context
def list_(ctx: click.Context, vhost: str | None, queue: str | None) -> None:
    """Message and consumer counts of each dead-letter queue (management statistics: a few seconds old)."""
    settings = settings_of(ctx)

    async def _go() -> None:
        async with ManagementClient.from_settings(settings.broker) as client:
            for count in await list_counts(client, _vhost(settings, vhost), _queues(settings, queue)):
                click.echo(f"{count.queue}\t{count.messages}\t{count.consumers} consumer(s)")

    run(_go())


@dlq.command(name="show")
@_VHOST
@_QUEUE
@click.option("--count", default=10, show_default=True, type=click.IntRange(1, 1000))
@click.pass_context
def show_(ctx: click.Context, vhost: str | None, queue: str | None, count: int) -> None:
    """Messages at the head of each dead-letter queue, left in place (JSON lines).

    ``reason`` is ``x-nsw-reason`` (the hub's own on what it parked; an agency's words on its dead letters)
    else the broker's; ``broker_reason`` is the newest ``x-death`` entry's, ``parked_by`` the hub consumer."""
    settings = settings_of(ctx)
    target = _vhost(settings, vhost)

    async def _go() -> None:
        async with ManagementClient.from_settings(settings.broker) as client:
            for name in _queues(settings, queue):
                for message in await show(client, target, name, count):
                    record = {
                        "queue": name,
                        "message_id": message.message_id,
                        "origin": list(message.origin) if message.origin else None,
                        "reason": message.reason,
                        "broker_reason": (newest_death(message.headers) or {}).get("reason"),
                        "parked_by": message.headers.get(PARKED_BY_HEADER),
                        "attempts": message.attempts,
                        "last_error": message.last_error,
                        "payload": message.payload[:200],
                    }
                    click.echo(json.dumps(record, default=str))

    run(_go())


@dlq.command(name="replay")
@_VHOST
@_QUEUE
@click.option("--limit", default=None, type=click.IntRange(min=1), help="At most this many per queue.")
@click.pass_context
def replay_(ctx: click.Context, vhost: str | None, queue: str | None, limit: int | None) -> None:
    """Republish each dead-lettered message to its original exchange and routing key, then remove it."""
    from singlewindow.platform.api.assembly import hub_from_settings
    from singlewindow.platform.hub.replay import hub_republisher
    from singlewindow.platform.transport import connect

    settings = settings_of(ctx)
    target = _vhost(settings, vhost)

    async def _go() -> list[ReplayReport]:
        reports = []
        transport = await connect(settings.broker, vhost=target, connection_name="nsw-dlq-replay")
        async with transport, hub_from_settings(_on_vhost(settings, target), consume=False) as hub:
            # Documents of the hub go back through its state and its own record of what it sent: the
            # recipient becomes PENDING again and gets the hub's document, never the dead letter's body.
            republish = hub_republisher(hub, actor="nsw dlq replay")
            for name in _queues(settings, queue):
                reports.append(await replay(transport, name, limit=limit, republish=republish))
        return reports

    failed = False
    for report in run(_go()):
        for message_id, exchange, key in report.replayed:
            click.echo(f"{report.queue}\treplayed\t{message_id}\t-> {exchange} ({key})")
        for message_id in report.skipped:
            click.echo(f"{report.queue}\tkept\t{message_id}\torigin unknown (no x-death)", err=True)
        for message_id, error in report.failed:
            click.echo(f"{report.queue}\tkept\t{message_id}\t{error}", err=True)
        failed = failed or bool(report.skipped or report.failed)
    if failed:
        ctx.exit(1)
