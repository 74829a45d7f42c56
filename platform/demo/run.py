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
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractAsyncContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from singlewindow.platform.aggregation import Consolidated
from singlewindow.platform.demo.agencies import AgencySystems, auto_deciders, real_agencies
from singlewindow.platform.demo.crossborder import CaseResult, play_crossborder
from singlewindow.platform.demo.follow import Submitted, Trader, act, progress_line, settled, told_of, trader_of
from singlewindow.platform.demo.scenario import DOCUMENT_TYPE, SCENARIO
from singlewindow.platform.demo.timeline import Timeline, build_timeline
from singlewindow.platform.demo.vhost import demo_vhost
from singlewindow.platform.errors import ConfigurationError, NotFound
from singlewindow.platform.hub.views import SubmissionView
from singlewindow.platform.payments.providers.embedded import EmbeddedProvider
from singlewindow.platform.payments.service import PaymentService, payment_service
from singlewindow.platform.settings import Settings
from singlewindow.platform.state import HubEvent
from singlewindow.platform.testing.crossborder import two_countries
from singlewindow.platform.testing.embedded import EmbeddedHub, embedded_hub

SETTLE_TIMEOUT_SECONDS = 60.0
_POLL_SECONDS = 0.02
Progress = Callable[[str], None]


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
    crossborder: tuple[CaseResult, ...] = ()  # the second country: the cross-border use cases

    @property
    def ok(self) -> bool:
        return bool(self.timelines) and all(t.ok for t in self.timelines) and all(c.ok for c in self.crossborder)


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


def _agencies(
    embedded: EmbeddedHub, settings: Settings, passwords: Mapping[str, str], folder: Path, auto: bool
) -> AbstractAsyncContextManager[AgencySystems]:
    if auto:
        return auto_deciders(embedded, passwords)
    documents = [consignment.document() for consignment in SCENARIO]
    return real_agencies(embedded, settings, passwords, folder, documents)


async def _report(embedded: EmbeddedHub, item: Submitted, count: int, say: Progress) -> list[HubEvent]:
    """Say what happened to ``item`` since the last report; returns all its events."""
    events = await embedded.hub.events.of(item.submission_id)
    for event in events[item.seen :]:
        if (line := progress_line(item, count, event)) is not None:
            say(line)
    item.seen = len(events)
    return events


async def _play(
    embedded: EmbeddedHub,
    settings: Settings,
    passwords: Mapping[str, str],
    folder: Path,
    auto: bool,
    progress: Progress | None = None,
) -> tuple[list[Timeline], dict[str, str]]:
    say = progress or (lambda line: None)
    # fees on: each trader pays its invoice once every agency accepts (the demo's bank books it at once)
    payments = payment_service(embedded.hub, settings.fees, EmbeddedProvider(name="demo-bank", ledger_id="DEMOBANK"))
    async with _agencies(embedded, settings, passwords, folder, auto) as systems:
        traders: dict[str, Trader] = {}
        submitted: list[Submitted] = []
        count = len(SCENARIO)
        for index, consignment in enumerate(SCENARIO, start=1):
            trader = await trader_of(embedded, traders, consignment)
            document = await systems.attach_ephyto(trader.token, consignment.key, consignment.document())
            view, _ = await embedded.hub.intake.submit(
                trader.principal, DOCUMENT_TYPE, document, document["traderReference"]
            )
            say(f"submitted [{index}/{count} {consignment.key}] {consignment.title}: {view.submission_id}")
            submitted.append(Submitted(index, consignment, trader, view.submission_id))
        views: dict[str, SubmissionView] = {}
        told: dict[str, list[str]] = {}
        deadline = time.monotonic() + SETTLE_TIMEOUT_SECONDS
        pending = {item.submission_id for item in submitted}
        while pending and time.monotonic() < deadline:
            for item in submitted:
                if item.submission_id not in pending:
                    continue
                await act(embedded, item, await _report(embedded, item, count, say), payments)
                views[item.submission_id] = view = await embedded.hub.intake.get(
                    item.trader.principal, item.submission_id
                )
                if view.status is Consolidated.CANCELLED:
                    told[item.submission_id] = await told_of(embedded, item.submission_id)
                if await settled(embedded, systems, view, told.get(item.submission_id, [])):
                    await _report(embedded, item, count, say)  # what happened since, up to the end
                    pending.discard(item.submission_id)
            await asyncio.sleep(_POLL_SECONDS if pending else 0)
        timelines = [
            build_timeline(
                item.consignment,
                item.trader.principal.name,
                views[item.submission_id],
                await embedded.hub.events.of(item.submission_id),
                told.get(item.submission_id, ()),
                await _invoice(payments, item.submission_id),
            )
            for item in submitted
        ]
        return timelines, dict(systems.sources)


async def _invoice(payments: PaymentService, submission_id: str) -> Mapping[str, object] | None:
    try:
        return await payments.invoice_of(submission_id)
    except NotFound:
        return None


def _charging(settings: Settings) -> Settings:
    """The scenario's hub charges fees (the shipped schedules); the cross-border part's hubs do not."""
    return settings.model_copy(update={"fees": settings.fees.model_copy(update={"enabled": True})})


async def run_demo(
    settings: Settings,
    amqp_url: str | None = None,
    *,
    keep: Path | None = None,
    auto_deciders: bool = False,
    progress: Progress | None = None,
) -> DemoResult:
    """Run the scenario once; the result says, per submission, whether it ended as expected. ``progress``
    gets a line per business event as it happens (each decision as it arrives).

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
            update={
                "attachments": settings.attachments.model_copy(update={"folder": folder / "attachments"}),
                # the demo's agencies get signed risk profiles without a manual step (docs/risk.md)
                "risk": settings.risk.model_copy(update={"demo_profiles": True}),
            }
        )
        if amqp_url is None:
            embedded_settings = base.model_copy(
                update={
                    "broker": settings.broker.model_copy(update={"url": None}),
                    "hub": settings.hub.model_copy(update={"routing_dir": None}),
                }
            )
            charging = _charging(embedded_settings)
            async with embedded_hub(database, charging) as embedded:
                timelines, sources = await _play(embedded, charging, {}, folder, auto_deciders, progress)
            cases = await _crossborder(embedded_settings, folder, progress)
            where = "embedded hub: in-memory broker, SQLite, registry loaded from message_specs/"
            return DemoResult(
                "embedded", where, tuple(timelines), _ms_since(started), kept, None, sources, str(folder), cases
            )
        async with demo_vhost(settings.broker, settings.topology, amqp_url, folder, keep=keep is not None) as vhost:
            rabbit_settings = base.model_copy(
                update={
                    "broker": settings.broker.model_copy(update={"url": vhost.url_for(vhost.hub_user)}),
                    "hub": settings.hub.model_copy(update={"routing_dir": vhost.routing_dir}),
                }
            )
            charging = _charging(rabbit_settings)
            async with embedded_hub(database, charging) as embedded:
                timelines, sources = await _play(embedded, charging, vhost.passwords, folder, auto_deciders, progress)
            where = f"RabbitMQ at {vhost.amqp_url}, vhost {vhost.vhost} (hub user {vhost.hub_user}), SQLite"
            if keep:
                kept += (f"vhost {vhost.vhost} and its users",)
        cases = await _crossborder(base, folder, progress, amqp_url, keep=keep is not None)
        if keep:
            kept += ("the KZ and CN vhosts of the cross-border part, their users and Shovels",)
        return DemoResult(
            "rabbitmq", where, tuple(timelines), _ms_since(started), kept, vhost.vhost, sources, str(folder), cases
        )


async def _crossborder(
    settings: Settings, folder: Path, progress: Progress | None, amqp_url: str | None = None, *, keep: bool = False
) -> tuple[CaseResult, ...]:
    """The second country: KZ and CN single windows, each its own hub in its own vhost, joined by their
    gateways (with ``amqp_url``, by real Shovels writing as link users); GACC decides in CN, KZ's agencies
    by simple rules (none of these types goes to them but the termination notice, which KZ customs
    discharges)."""
    (folder / "crossborder").mkdir(exist_ok=True)
    async with two_countries(folder / "crossborder", settings, amqp_url=amqp_url, keep=keep) as pair:
        return tuple(await play_crossborder(pair, progress))


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
