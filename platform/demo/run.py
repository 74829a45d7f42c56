"""``nsw demo``: the whole hub in one process, stand-in agencies deciding, the scenario's consignments
submitted once each, and a timeline per submission read back from the hub's event history.

Embedded by default (in-memory broker, SQLite in a temporary folder, registry loaded from the shipped
specs); with an AMQP URL the same flow runs on RabbitMQ in a fresh vhost, the hub under its own broker
user and each stand-in under its agency's, so every decision carries the broker-validated ``user_id``.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from singlewindow.platform.demo.policies import demo_policy, demo_revision
from singlewindow.platform.demo.scenario import DOCUMENT_TYPE, SCENARIO, DemoConsignment
from singlewindow.platform.demo.timeline import Timeline, build_timeline
from singlewindow.platform.demo.vhost import demo_vhost
from singlewindow.platform.errors import ConfigurationError
from singlewindow.platform.hub.views import SubmissionView
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.settings import Settings
from singlewindow.platform.testing.autodecide import AutoDecider
from singlewindow.platform.testing.embedded import EmbeddedHub, embedded_hub

SETTLE_TIMEOUT_SECONDS = 30.0
_POLL_SECONDS = 0.02


@dataclass(frozen=True, slots=True)
class DemoResult:
    mode: str  # "embedded" or "rabbitmq"
    where: str  # the broker and database, in words
    timelines: tuple[Timeline, ...]
    wall_ms: float
    kept: tuple[str, ...]  # what --keep left behind
    vhost: str | None = None  # the demo's RabbitMQ vhost (deleted at the end unless kept)

    @property
    def ok(self) -> bool:
        return bool(self.timelines) and all(t.ok for t in self.timelines)


@contextmanager
def _workdir(keep: Path | None) -> Iterator[Path]:
    if keep is None:
        with tempfile.TemporaryDirectory(prefix="nsw-demo-") as folder:
            yield Path(folder)
        return
    keep.mkdir(parents=True, exist_ok=True)
    if (keep / "hub.db").exists():
        raise ConfigurationError(f"{keep} already holds a demo database; give an empty or new folder to --keep")
    yield keep


async def _start_deciders(embedded: EmbeddedHub, passwords: Mapping[str, str]) -> list[AutoDecider]:
    deciders = []
    for agency in embedded.catalogue.agencies():
        transport = await embedded.agency_transport(agency.id, passwords.get(agency.broker_user))
        decider = AutoDecider(
            agency.id, agency.broker_user, transport, embedded.hub.codec, demo_policy, revise=demo_revision
        )
        await decider.start()
        deciders.append(decider)
    return deciders


async def _trader(embedded: EmbeddedHub, traders: dict[str, Principal], consignment: DemoConsignment) -> Principal:
    """Each declarant submits its own consignment, as a trader principal named after its country and id."""
    declarant = consignment.document()["declarant"]
    name = f"{declarant['address']['country']}-{declarant['identificationNumber']}".lower()
    if name not in traders:
        traders[name] = (await embedded.hub.principals.add(name, Role.TRADER)).principal
    return traders[name]


async def _settled(embedded: EmbeddedHub, deciders: Sequence[AutoDecider], view: SubmissionView) -> bool:
    """Final status recorded, every routed agency's decision in the history, no revision still to come."""
    if not view.terminal or any(d.revisions_pending for d in deciders):
        return False
    decided = {e.recipient for e in await embedded.hub.events.of(view.submission_id) if e.kind == "DECISION"}
    return all(r.recipient in decided for r in view.recipients)


async def _play(embedded: EmbeddedHub, passwords: Mapping[str, str]) -> list[Timeline]:
    deciders = await _start_deciders(embedded, passwords)
    try:
        traders: dict[str, Principal] = {}
        submitted: list[tuple[DemoConsignment, Principal, str]] = []
        for consignment in SCENARIO:
            trader = await _trader(embedded, traders, consignment)
            document = consignment.document()
            view, _ = await embedded.hub.intake.submit(trader, DOCUMENT_TYPE, document, document["traderReference"])
            submitted.append((consignment, trader, view.submission_id))
        views: dict[str, SubmissionView] = {}
        deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS
        pending = {submission_id for _, _, submission_id in submitted}
        while pending and time.monotonic() < deadline:
            for _, trader, submission_id in submitted:
                if submission_id in pending:
                    views[submission_id] = view = await embedded.hub.intake.get(trader, submission_id)
                    if await _settled(embedded, deciders, view):
                        pending.discard(submission_id)
            await asyncio.sleep(_POLL_SECONDS if pending else 0)
        return [
            build_timeline(consignment, trader.name, views[submission_id], await embedded.hub.events.of(submission_id))
            for consignment, trader, submission_id in submitted
        ]
    finally:
        for decider in deciders:
            await decider.stop()
            await decider.transport.close()


async def run_demo(settings: Settings, amqp_url: str | None = None, *, keep: Path | None = None) -> DemoResult:
    """Run the scenario once; the result says, per submission, whether it ended as expected."""
    started = time.perf_counter()
    with _workdir(keep) as folder:
        database = folder / "hub.db"
        kept: tuple[str, ...] = (f"database {database}",) if keep else ()
        if amqp_url is None:
            embedded_settings = settings.model_copy(
                update={
                    "broker": settings.broker.model_copy(update={"url": None}),
                    "hub": settings.hub.model_copy(update={"routing_dir": None}),
                }
            )
            async with embedded_hub(database, embedded_settings) as embedded:
                timelines = await _play(embedded, {})
            where = "embedded hub: in-memory broker, SQLite, registry loaded from message_specs/"
            return DemoResult("embedded", where, tuple(timelines), _ms_since(started), kept)
        async with demo_vhost(settings.broker, settings.topology, amqp_url, folder, keep=keep is not None) as vhost:
            rabbit_settings = settings.model_copy(
                update={
                    "broker": settings.broker.model_copy(update={"url": vhost.url_for(vhost.hub_user)}),
                    "hub": settings.hub.model_copy(update={"routing_dir": vhost.routing_dir}),
                }
            )
            async with embedded_hub(database, rabbit_settings) as embedded:
                timelines = await _play(embedded, vhost.passwords)
            where = f"RabbitMQ at {vhost.amqp_url}, vhost {vhost.vhost} (hub user {vhost.hub_user}), SQLite"
            if keep:
                kept += (f"vhost {vhost.vhost} and its users",)
        return DemoResult("rabbitmq", where, tuple(timelines), _ms_since(started), kept, vhost.vhost)


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
