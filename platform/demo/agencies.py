"""The five agencies of the demo as in production: each agency's real adapter (found through the
``singlewindow.adapters`` entry points) run by the SDK runtime under the agency's own broker user, each
talking to its agency system's stand-in process; the border guard's officer played by the demo.

The hub's agency services (attachments, officer queue, permits register) are served over HTTP on a free
port, because the adapters call them as they would a production hub. Before anything runs, the stand-ins
and the register are seeded (``seeds``). An agency whose adapter is not installed is answered by the old
auto-decider, and the timeline says so.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog

from singlewindow.adapters.sdk.discovery import AdapterEntry, discover
from singlewindow.adapters.sdk.options import RuntimeOptions
from singlewindow.adapters.sdk.runtime import AdapterRuntime
from singlewindow.adapters.sdk.store import AdapterStore
from singlewindow.platform.api.agency_client import AgencyHubClient
from singlewindow.platform.demo import seeds
from singlewindow.platform.demo.policies import (
    BORDER_GUARD_INSPECTION,
    BORDER_GUARD_QUESTION,
    demo_policy,
    demo_revision,
    on_inspection_list,
    on_watch_list,
)
from singlewindow.platform.demo.standins import Standin, standin_group
from singlewindow.platform.errors import Conflict, NswError
from singlewindow.platform.identity import Role
from singlewindow.platform.settings import Settings
from singlewindow.platform.testing.agency_http import served_agency_services
from singlewindow.platform.testing.autodecide import AutoDecider
from singlewindow.platform.testing.embedded import EmbeddedHub

ADAPTERS = {
    "customs": ("customs-edifact", "EDIFACT CUSRES"),
    "veterinary": ("veterinary-ched", "CHED webhook"),
    "sanitary": ("sanitary-table", "shared table"),
    "phytosanitary": ("phytosanitary-ephyto", "ePhyto"),
    "border-guard": ("border-guard-officers", "officer"),
}
"""Agency -> (entry point of its adapter, what its decisions come from, as the timeline says it)."""
AUTO = "auto-decider"
log = structlog.get_logger(__name__)
OFFICER_NAME = "S. Tulegenov"
INSPECTION_SECONDS = 0.8  # the customs officers' physical inspection of a RED-channel declaration
VETERINARIAN_SECONDS = 0.3  # the official veterinarian's decision, called back by webhook


@dataclass
class AgencySystems:
    """What runs for the agencies; ``sources`` says per agency where its decisions come from."""

    sources: dict[str, str]
    standins: list[Standin] = field(default_factory=list)
    deciders: list[AutoDecider] = field(default_factory=list)
    hub_url: str = ""

    @property
    def busy(self) -> bool:
        """An auto-decider's revision is still to come (real agencies' revisions need no such hint)."""
        return any(d.revisions_pending for d in self.deciders)

    async def attach_ephyto(self, token: str, key: str, document: dict[str, Any]) -> dict[str, Any]:
        """Upload the consignment's ePhyto as its trader and list it among its attachments (by hash)."""
        certificate = seeds.ephyto_for(key)
        if certificate is None or not self.hub_url:
            return document
        name, content = certificate
        async with AgencyHubClient(self.hub_url, token) as trader:
            stored = await trader.put_attachment(content, "application/xml", name)
        entry = {"sha256": stored["sha256"], "mediaType": "application/xml", "fileName": name,
                 "sizeBytes": len(content), "kind": "CERTIFICATE"}  # fmt: skip
        return {**document, "attachments": [*document.get("attachments", []), entry]}


async def _auto_decider(
    stack: AsyncExitStack, embedded: EmbeddedHub, agency: str, passwords: Mapping[str, str]
) -> AutoDecider:
    recipient = embedded.catalogue.get(agency)
    transport = await embedded.agency_transport(agency, passwords.get(recipient.broker_user))
    stack.push_async_callback(transport.close)
    decider = AutoDecider(
        agency, recipient.broker_user, transport, embedded.hub.codec, demo_policy, revise=demo_revision
    )
    await decider.start()
    stack.push_async_callback(decider.stop)
    return decider


@asynccontextmanager
async def auto_deciders(
    embedded: EmbeddedHub, passwords: Mapping[str, str], skip: Collection[str] = ()
) -> AsyncIterator[AgencySystems]:
    """The fast mode (``--auto-deciders``): one rule-based decider per agency (but those in ``skip``, whose
    decisions come from elsewhere), nothing else runs."""
    async with AsyncExitStack() as stack:
        systems = AgencySystems({})
        for agency in embedded.catalogue.agencies():
            if agency.id in skip:
                continue
            systems.deciders.append(await _auto_decider(stack, embedded, agency.id, passwords))
            systems.sources[agency.id] = AUTO
        yield systems


def _officer_decision(pulled: Mapping[str, Any]) -> dict[str, Any]:
    """Accept; but a truck on the watch list gets a question first (accepted once it is answered), and one on
    the inspection list is held for its x-ray, which outlasts the demo."""
    decision: dict[str, Any] = {"ticket": pulled["ticket"], "status": "ACCEPTED", "officerName": OFFICER_NAME}
    document = pulled.get("document") or {}
    if on_watch_list(document) and not pulled.get("answers"):
        decision |= {"status": "QUERY", "query": {"question": BORDER_GUARD_QUESTION}}
    elif on_inspection_list(document):
        decision |= {"status": "INSPECTION_REQUIRED", "reasons": [{"code": "BG-XRAY", "text": BORDER_GUARD_INSPECTION}]}
    return decision


async def _officer(url: str, token: str, stop: asyncio.Event) -> None:
    """The border guard officer at the crossing: pulls the next document of the queue and decides it."""
    async with AgencyHubClient(url, token) as desk:
        while not stop.is_set():
            try:
                pulled = await desk.next_document()
                if pulled is not None:
                    await desk.decide(_officer_decision(pulled))
                    continue
            except Conflict:  # withdrawn while on the desk (the trader cancelled): nothing to decide
                continue
            except NswError as exc:  # the hub was busy or briefly away: the officer asks again
                log.warning("demo officer: asking again", error=str(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=0.1)


async def _runtime(
    stack: AsyncExitStack,
    embedded: EmbeddedHub,
    entry: AdapterEntry,
    config: Mapping[str, Any],
    folder: Path,
    passwords: Mapping[str, str],
) -> AdapterRuntime:
    name = entry.name
    recipient = embedded.catalogue.get(entry.agency)
    transport = await embedded.agency_transport(recipient.id, passwords.get(recipient.broker_user))
    stack.push_async_callback(transport.close)
    store = await AdapterStore.open(f"sqlite+aiosqlite:///{folder / f'adapter-{name}.db'}", recipient.id)
    stack.push_async_callback(store.close)
    validated = entry.adapter_class.config_model.model_validate(dict(config))
    runtime = AdapterRuntime(
        name, entry.adapter_class(), recipient, validated, transport, embedded.hub.codec, store, RuntimeOptions()
    )
    stack.push_async_callback(runtime.stop)
    await runtime.start()
    return runtime


@asynccontextmanager
async def real_agencies(
    embedded: EmbeddedHub,
    settings: Settings,
    passwords: Mapping[str, str],
    folder: Path,
    documents: Sequence[Mapping[str, Any]],
) -> AsyncIterator[AgencySystems]:
    """Stand-ins started and seeded, adapters running, the officer at the desk; all stopped afterwards."""
    async with AsyncExitStack() as stack:
        served = await stack.enter_async_context(served_agency_services(embedded, settings))
        tokens = {}
        for user in ("customs", "phytosanitary", "border-guard"):
            tokens[user] = (await served.principal(embedded, f"demo-{user}-adapter", Role.AGENCY, user))[1]
        _, officer_token = await served.principal(embedded, "bg-officer-demo", Role.OFFICER, "border-guard")
        _, operator_token = await served.principal(embedded, "demo-operator", Role.OPERATOR)
        async with AgencyHubClient(served.url, operator_token) as operator:
            for permit in seeds.permits(documents):
                await operator.record_permit(permit)

        installed = {entry.name: entry for entry in discover().adapters}
        adapters = {
            agency.id: installed[ADAPTERS[agency.id][0]]
            for agency in embedded.catalogue.agencies()
            if agency.id in ADAPTERS and ADAPTERS[agency.id][0] in installed
        }
        group = await stack.enter_async_context(standin_group(folder / "agency-systems"))
        configs: dict[str, dict[str, Any]] = {
            "border-guard": {"hub_url": served.url, "hub_token": tokens["border-guard"], "poll_seconds": 0.1},
        }
        if "customs" in adapters:
            profile = seeds.write_json(group.folder / "risk-profile.json", seeds.risk_profile())
            traders = seeds.write_json(group.folder / "traders.json", seeds.traders(documents))
            customs = await group.customs(profile, traders, INSPECTION_SECONDS)
        if "sanitary" in adapters:
            sanitary = await group.sanitary()
        if "veterinary" in adapters:
            veterinary = await group.veterinary(VETERINARIAN_SECONDS)
        if "phytosanitary" in adapters:
            phytosanitary = await group.phytosanitary()
        await group.ready()  # all at once: each takes seconds to import on a busy machine
        if "customs" in adapters:
            configs["customs"] = {"exchange_dir": str(customs.extra["exchange_dir"]), "poll_seconds": 0.1,
                                  "hub_url": served.url, "hub_token": tokens["customs"]}  # fmt: skip
        if "sanitary" in adapters:
            configs["sanitary"] = {"database_url": f"sqlite:///{sanitary.extra['database']}", "poll_seconds": 0.1}
        if "veterinary" in adapters:
            configs["veterinary"] = {"ched_url": veterinary.url, "webhook_port": 0}
        if "phytosanitary" in adapters:
            configs["phytosanitary"] = {"hub_url": served.url, "hub_token": tokens["phytosanitary"],
                                        "plant_protection_url": phytosanitary.url}  # fmt: skip

        systems = AgencySystems({}, list(group.started), hub_url=served.url)
        for agency in embedded.catalogue.agencies():
            entry = adapters.get(agency.id)
            if entry is not None:
                await _runtime(stack, embedded, entry, configs[agency.id], folder, passwords)
                systems.sources[agency.id] = ADAPTERS[agency.id][1]
            else:
                systems.deciders.append(await _auto_decider(stack, embedded, agency.id, passwords))
                wanted = ADAPTERS.get(agency.id, ("its adapter", ""))[0]
                systems.sources[agency.id] = f"{AUTO} ({wanted} not installed)"
        if systems.sources.get("border-guard") == ADAPTERS["border-guard"][1]:
            stop = asyncio.Event()
            officer = asyncio.create_task(_officer(served.url, officer_token, stop), name="demo-officer")
            stack.push_async_callback(_end, officer, stop)
        yield systems


@asynccontextmanager
async def officer_desk(
    embedded: EmbeddedHub, hub_url: str, adapter_token: str, folder: Path, passwords: Mapping[str, str]
) -> AsyncIterator[None]:
    """The border guard's real adapter on the officer queue of the hub at ``hub_url``, with nobody at the
    desk: its decisions are whatever the officers decide (in the console or over the officer API)."""
    async with AsyncExitStack() as stack:
        name = ADAPTERS["border-guard"][0]
        entry = next(entry for entry in discover().adapters if entry.name == name)
        config = {"hub_url": hub_url, "hub_token": adapter_token, "poll_seconds": 0.1}
        await _runtime(stack, embedded, entry, config, folder, passwords)
        yield


async def _end(task: asyncio.Task[None], stop: asyncio.Event) -> None:
    stop.set()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.shield(task), timeout=5)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
