"""``nsw demo``: the whole hub in one process, the agencies' real adapters deciding through their agency
systems' stand-ins (separate processes), the scenario's consignments submitted once each, and a timeline
per submission read back from the hub's event history.

Embedded by default (in-memory broker, SQLite in a temporary folder, registry loaded from the shipped
specs); with an AMQP URL the same flow runs on RabbitMQ in a fresh vhost, the hub under its own broker
user and each agency's adapter under the agency's own, so every decision carries the broker-validated ``user_id``.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import AbstractAsyncContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from singlewindow.platform.demo.agencies import AgencySystems, auto_deciders, real_agencies
from singlewindow.platform.demo.scenario import DOCUMENT_TYPE, SCENARIO, DemoConsignment
from singlewindow.platform.demo.timeline import Timeline, build_timeline
from singlewindow.platform.demo.vhost import demo_vhost
from singlewindow.platform.errors import ConfigurationError
from singlewindow.platform.hub.views import SubmissionView
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.settings import Settings
from singlewindow.platform.testing.embedded import EmbeddedHub, embedded_hub

SETTLE_TIMEOUT_SECONDS = 60.0
_POLL_SECONDS = 0.02


@dataclass(frozen=True, slots=True)
class DemoResult:
    mode: str  # "embedded" or "rabbitmq"
    where: str  # the broker and database, in words
    timelines: tuple[Timeline, ...]
    wall_ms: float
    kept: tuple[str, ...]  # what --keep left behind
    vhost: str | None = None  # the demo's RabbitMQ vhost (deleted at the end unless kept)
    sources: Mapping[str, str] = field(default_factory=dict)  # agency -> where its decisions came from
    workdir: str = ""  # the demo's folder (removed at the end unless --keep)

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


@dataclass(frozen=True, slots=True)
class _Trader:
    principal: Principal
    token: str


async def _trader(embedded: EmbeddedHub, traders: dict[str, _Trader], consignment: DemoConsignment) -> _Trader:
    """Each declarant submits its own consignment, as a trader principal named after its country and id."""
    declarant = consignment.document()["declarant"]
    name = f"{declarant['address']['country']}-{declarant['identificationNumber']}".lower()
    if name not in traders:
        issued = await embedded.hub.principals.add(name, Role.TRADER)
        traders[name] = _Trader(issued.principal, issued.token)
    return traders[name]


async def _settled(embedded: EmbeddedHub, systems: AgencySystems, view: SubmissionView) -> bool:
    """Final status recorded, every routed agency's decision in the history, no revision still to come."""
    if not view.terminal or systems.busy:
        return False
    decided = {e.recipient for e in await embedded.hub.events.of(view.submission_id) if e.kind == "DECISION"}
    return all(r.recipient in decided for r in view.recipients)


def _agencies(
    embedded: EmbeddedHub, settings: Settings, passwords: Mapping[str, str], folder: Path, auto: bool
) -> AbstractAsyncContextManager[AgencySystems]:
    if auto:
        return auto_deciders(embedded, passwords)
    documents = [consignment.document() for consignment in SCENARIO]
    return real_agencies(embedded, settings, passwords, folder, documents)


async def _play(
    embedded: EmbeddedHub, settings: Settings, passwords: Mapping[str, str], folder: Path, auto: bool
) -> tuple[list[Timeline], dict[str, str]]:
    async with _agencies(embedded, settings, passwords, folder, auto) as systems:
        traders: dict[str, _Trader] = {}
        submitted: list[tuple[DemoConsignment, _Trader, str]] = []
        for consignment in SCENARIO:
            trader = await _trader(embedded, traders, consignment)
            document = await systems.attach_ephyto(trader.token, consignment.key, consignment.document())
            view, _ = await embedded.hub.intake.submit(
                trader.principal, DOCUMENT_TYPE, document, document["traderReference"]
            )
            submitted.append((consignment, trader, view.submission_id))
        views: dict[str, SubmissionView] = {}
        deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS
        pending = {submission_id for _, _, submission_id in submitted}
        while pending and time.monotonic() < deadline:
            for _, trader, submission_id in submitted:
                if submission_id in pending:
                    views[submission_id] = view = await embedded.hub.intake.get(trader.principal, submission_id)
                    if await _settled(embedded, systems, view):
                        pending.discard(submission_id)
            await asyncio.sleep(_POLL_SECONDS if pending else 0)
        timelines = [
            build_timeline(
                consignment, trader.principal.name, views[submission_id], await embedded.hub.events.of(submission_id)
            )
            for consignment, trader, submission_id in submitted
        ]
        return timelines, dict(systems.sources)


async def run_demo(
    settings: Settings, amqp_url: str | None = None, *, keep: Path | None = None, auto_deciders: bool = False
) -> DemoResult:
    """Run the scenario once; the result says, per submission, whether it ended as expected.

    By default every agency is its real adapter against its agency system's stand-in (``agencies``);
    ``auto_deciders`` answers for all of them with simple rules instead (fast, nothing else started).
    """
    started = time.perf_counter()
    with _workdir(keep) as folder:
        database = folder / "hub.db"
        kept: tuple[str, ...] = (f"database {database}",) if keep else ()
        if keep and not auto_deciders:
            kept += (f"the adapters' stores and the agency systems' files in {folder}",)
        base = settings.model_copy(
            update={"attachments": settings.attachments.model_copy(update={"folder": folder / "attachments"})}
        )
        if amqp_url is None:
            embedded_settings = base.model_copy(
                update={
                    "broker": settings.broker.model_copy(update={"url": None}),
                    "hub": settings.hub.model_copy(update={"routing_dir": None}),
                }
            )
            async with embedded_hub(database, embedded_settings) as embedded:
                timelines, sources = await _play(embedded, embedded_settings, {}, folder, auto_deciders)
            where = "embedded hub: in-memory broker, SQLite, registry loaded from message_specs/"
            return DemoResult("embedded", where, tuple(timelines), _ms_since(started), kept, None, sources, str(folder))
        async with demo_vhost(settings.broker, settings.topology, amqp_url, folder, keep=keep is not None) as vhost:
            rabbit_settings = base.model_copy(
                update={
                    "broker": settings.broker.model_copy(update={"url": vhost.url_for(vhost.hub_user)}),
                    "hub": settings.hub.model_copy(update={"routing_dir": vhost.routing_dir}),
                }
            )
            async with embedded_hub(database, rabbit_settings) as embedded:
                timelines, sources = await _play(embedded, rabbit_settings, vhost.passwords, folder, auto_deciders)
            where = f"RabbitMQ at {vhost.amqp_url}, vhost {vhost.vhost} (hub user {vhost.hub_user}), SQLite"
            if keep:
                kept += (f"vhost {vhost.vhost} and its users",)
        return DemoResult(
            "rabbitmq", where, tuple(timelines), _ms_since(started), kept, vhost.vhost, sources, str(folder)
        )


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
