"""``nsw dlq``: see and replay dead-lettered messages (administrator credentials for the management API,
``broker.url`` credentials for the replay itself)."""

from __future__ import annotations

import json
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import click

from singlewindow.platform.catalogue import load_catalogue
from singlewindow.platform.cli.runtime import run, settings_of
from singlewindow.platform.dlq import (
    ReplayReport,
    dead_letter_queues,
    link_dead_letter_queues,
    list_counts,
    newest_death,
    replay,
    show,
)
from singlewindow.platform.errors import ConfigurationError
from singlewindow.platform.hub.consumer import PARKED_BY_HEADER
from singlewindow.platform.settings import Settings
from singlewindow.platform.topology import Topology, build_topology
from singlewindow.platform.topology.management import ManagementClient

_VHOST = click.option("--vhost", default=None, help="Virtual host (default: the broker URL's, else broker.vhost).")
_QUEUE = click.option("--queue", "queue", default=None, help="One dead-letter queue (default: all of them).")


LINK_DLQ_HELP = (
    "A link DLQ (crossborder.<partner>.dlq) is listed and shown, never replayed: the sending gateway's store "
    "keeps every envelope it sealed and sends the unreceipted ones again (adapter setting resend_after, 10 "
    "minutes by default; see nsw gateway status for what is unreceipted), so once the cause is fixed the "
    "sender re-sends and the dead copies can be purged."
)


def _table(settings: Settings) -> Topology:
    # The catalogue the hub routes with: hub.routing_dir's when set, else the shipped one (as nsw topology).
    routing_dir = settings.hub.routing_dir
    return build_topology(load_catalogue(routing_dir / "recipients.json" if routing_dir else None), settings.topology)


def _queues(settings: Settings, queue: str | None, *, links: bool) -> list[str]:
    """The DLQs a command works on: ``queue`` alone, else all of them; link DLQs only when ``links``."""
    table = _table(settings)
    replayable, link = dead_letter_queues(table), link_dead_letter_queues(table)
    known = [*replayable, *link] if links else replayable
    if queue is None:
        return known
    if queue in link and not links:
        raise ConfigurationError(f"{queue!r} is not replayed. {LINK_DLQ_HELP}")
    if queue not in known:
        raise ConfigurationError(f"{queue!r} is not a dead-letter queue; known: {', '.join(known)}")
    return [queue]


def _vhost(settings: Settings, option: str | None) -> str:
    """``--vhost``, else the broker URL's vhost (as the transport connects), else the broker.vhost setting."""
    return option or unquote(urlsplit(settings.broker.url or "").path.lstrip("/")) or settings.broker.vhost


def _on_vhost(settings: Settings, vhost: str) -> Settings:
    """The same settings with every node's broker URL pointing at ``vhost``: the replaying hub works where the
    DLQ is, whichever node of a cluster it reaches."""
    if not settings.broker.url:
        return settings
    path = "/" + quote(vhost, safe="")
    url, *others = (urlunsplit(urlsplit(node)._replace(path=path)) for node in settings.broker.node_urls)
    moved = {"url": url, "urls": tuple(others), "vhost": vhost}
    return settings.model_copy(update={"broker": settings.broker.model_copy(update=moved)})


@click.group()
def dlq() -> None:
    """Dead-letter queues: counts, a look at messages, replay to where they were first published."""


@dlq.command(name="list")
@_VHOST
@_QUEUE
@click.pass_context
def list_(ctx: click.Context, vhost: str | None, queue: str | None) -> None:
    """Message and consumer counts of each dead-letter queue (management statistics: a few seconds old).

    Every recipient's DLQ (agencies and partner hubs: agency.partner-cn.dlq), the hub's nsw.hub.dlq, and the
    cross-border link DLQs crossborder.<partner>.dlq. A link DLQ is read-only here: the sending gateway's
    store keeps every envelope and sends the unreceipted ones again (adapter setting resend_after), so
    fix the cause, let it re-send (nsw gateway status shows what is unreceipted), then purge the copies."""
    settings = settings_of(ctx)

    async def _go() -> None:
        async with ManagementClient.from_settings(settings.broker) as client:
            for count in await list_counts(client, _vhost(settings, vhost), _queues(settings, queue, links=True)):
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
            for name in _queues(settings, queue, links=True):
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
    """Republish each dead-lettered message to its original exchange and routing key, then remove it.

    A document the hub sent a recipient (agency or partner hub) goes back through the hub as a new delivery
    attempt. The cross-border link DLQs crossborder.<partner>.dlq are not replayed: the sending gateway
    re-sends every unreceipted envelope from its store (adapter setting resend_after)."""
    from singlewindow.platform.api.assembly import hub_from_settings
    from singlewindow.platform.hub.replay import hub_republisher
    from singlewindow.platform.transport import connect

    settings = settings_of(ctx)
    target = _vhost(settings, vhost)
    queues = _queues(settings, queue, links=False)  # a link DLQ is refused before anything connects

    async def _go() -> list[ReplayReport]:
        reports = []
        transport = await connect(settings.broker, vhost=target, connection_name="nsw-dlq-replay")
        async with transport, hub_from_settings(_on_vhost(settings, target), consume=False) as hub:
            # Documents of the hub go back through its state and its own record of what it sent: the
            # recipient becomes PENDING again and gets the hub's document, never the dead letter's body.
            republish = hub_republisher(hub, actor="nsw dlq replay")
            for name in queues:
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
