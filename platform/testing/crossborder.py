"""Two national single windows joined by their gateways, in one process: what ``nsw demo`` shows of the
cross-border exchange and what the gateway's end-to-end tests run.

KZ runs the shipped routing; CN runs the demo's second-country data (``platform/demo/data/cn``: the General
Administration of Customs as one agency, GACC). Both hubs live in their own vhost of one in-memory broker,
each partner's gateway under its own broker user, each link a Shovel stand-in (``MemoryBroker.start_shovel``)
writing into the other vhost as the link user, exactly as ``nsw gateway link`` sets up on RabbitMQ. Each side
generates its signing key and gets the other's public key in its profile of it, as two administrations do
with ``nsw gateway keys export`` and ``import``.

With an AMQP URL the same pair runs on RabbitMQ (``nsw demo --amqp-url``): two throwaway demo vhosts with
suffixed users (users are global to a node), every process under its own broker user, and the links real
dynamic Shovels put by ``create_link``, the code ``nsw gateway link`` runs.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from singlewindow.adapters.gacc import GaccAdapter, GaccConfig, RiskRule
from singlewindow.adapters.gateway import CrossBorderGateway, GatewayConfig
from singlewindow.adapters.gateway.keystore import Keystore
from singlewindow.adapters.gateway.profiles import default_directory
from singlewindow.adapters.sdk.runtime import AdapterRuntime
from singlewindow.adapters.sdk.store import AdapterStore
from singlewindow.platform.errors import TransientError
from singlewindow.platform.hub.runtime import Hub
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.settings import Settings
from singlewindow.platform.testing.autodecide import AutoDecider, DecisionPolicy, accept_all
from singlewindow.platform.testing.embedded import EmbeddedHub, embedded_hub
from singlewindow.platform.topology import names
from singlewindow.platform.topology.link import RUNNING, create_link, remove_link, wait_for_state
from singlewindow.platform.topology.management import ManagementClient
from singlewindow.platform.transport import MemoryBroker

if TYPE_CHECKING:  # platform.demo imports this module (nsw demo plays the cross-border cases)
    from singlewindow.platform.demo.vhost import DemoVhost

CN_DATA = Path(__file__).resolve().parent.parent / "demo" / "data" / "cn"
LINK_START_SECONDS = 20.0


class EmbeddedIntake:
    """The gateway's intake port on an in-process hub, as the partner's principal (the HTTP API's calls)."""

    def __init__(self, hub: Hub, principal: Principal) -> None:
        self._hub = hub
        self._principal = principal

    async def submit(self, document_type: str, document: Mapping[str, Any], reference: str) -> str:
        view, _ = await self._hub.intake.submit(self._principal, document_type, document, reference)
        return view.submission_id

    async def status(self, submission_id: str) -> Mapping[str, Any]:
        return (await self._hub.intake.get(self._principal, submission_id)).as_dict()

    async def cancel(self, submission_id: str, reason: str) -> None:
        await self._hub.intake.cancel(self._principal, submission_id, reason)


@dataclass
class Country:
    """One national single window of the pair."""

    code: str
    hub_id: str
    embedded: EmbeddedHub
    gateway: CrossBorderGateway
    runtime: AdapterRuntime
    keystore: Keystore
    profiles_dir: Path
    trader: Principal
    partner_principal: Principal
    """The neighbour's gateway on this hub (role partner): the declarant of what the neighbour brings."""
    deciders: list[AutoDecider] = field(default_factory=list)

    @property
    def hub(self) -> Hub:
        return self.embedded.hub

    @property
    def vhost(self) -> str:
        return self.embedded.broker_settings.vhost

    async def submit(self, document_type: str, document: Mapping[str, Any], reference: str) -> str:
        """Submit as this country's trader (a carrier, a declarant); returns the submission id."""
        view, _ = await self.hub.intake.submit(self.trader, document_type, document, reference)
        return view.submission_id


class MemoryLinks:
    """Shovel stand-ins on the shared in-memory broker (``MemoryBroker.start_shovel``); take effect at once."""

    def __init__(self, broker: MemoryBroker) -> None:
        self.broker = broker

    def start(self, sender: Country, receiver: Country) -> None:
        partner, us = receiver.code.lower(), sender.code.lower()
        self.broker.start_shovel(
            names.shovel_name(partner),
            sender.vhost,
            names.crossborder_out_queue(partner),
            receiver.vhost,
            names.crossborder_in_exchange(us),
            names.link_user(us),
            reconnect_delay=0.2,
        )

    def stop(self, sender: Country, receiver: Country) -> None:
        self.broker.stop_shovel(names.shovel_name(receiver.code.lower()))


class RabbitMqLinks:
    """Real dynamic Shovels, put with the code ``nsw gateway link`` runs (``create_link``): in the sender's
    vhost, writing into the receiver's ``crossborder.in.<sender>`` as the receiver's (suffixed) link user,
    whose password the receiver's vhost issued, as the partner administration hands it over."""

    def __init__(self, client: ManagementClient, vhosts: Mapping[str, DemoVhost]) -> None:
        self.client = client
        self.vhosts = vhosts  # country code -> its demo vhost

    async def start(self, sender: Country, receiver: Country) -> None:
        partner, us = receiver.code.lower(), sender.code.lower()
        theirs = self.vhosts[receiver.code]
        user = theirs.link_user(us)
        parts = urlsplit(theirs.amqp_url)  # the broker's address, no credentials; the vhost is named apart
        uri = urlunsplit((parts.scheme, parts.netloc, "", parts.query, ""))
        password = theirs.passwords[user]
        await create_link(
            self.client, sender.vhost, partner, us, uri, password, partner_vhost=theirs.vhost, link_user=user
        )
        state = await wait_for_state(self.client, sender.vhost, partner, LINK_START_SECONDS)
        if state != RUNNING:
            raise TransientError(f"the Shovel {sender.code}->{receiver.code} is {state} after {LINK_START_SECONDS} s")

    async def stop(self, sender: Country, receiver: Country) -> None:
        await remove_link(self.client, sender.vhost, receiver.code.lower())


@dataclass
class TwoCountries:
    broker: MemoryBroker | None
    """The shared in-memory broker; None when the pair runs on RabbitMQ (``two_countries(amqp_url=...)``)."""
    kz: Country
    cn: Country
    links: MemoryLinks | RabbitMqLinks
    vhosts: Mapping[str, DemoVhost] = field(default_factory=dict)
    """Country code -> its demo vhost on RabbitMQ (name, users, passwords); empty in memory."""

    def cut(self, sender: Country) -> Awaitable[None]:
        """Cut ``sender``'s link to the other (the Shovel is deleted); envelopes wait in its outbound queue.

        In memory the link is cut when this returns; on RabbitMQ await the result (the management API)."""
        return self._change(self.links.stop, sender)

    def restore(self, sender: Country) -> Awaitable[None]:
        """Put ``sender``'s Shovel back; on RabbitMQ awaiting the result waits until the Shovel runs."""
        return self._change(self.links.start, sender)

    def _change(self, change: Callable[[Country, Country], Awaitable[None] | None], sender: Country) -> Awaitable[None]:
        outcome = change(sender, self._other(sender))
        if outcome is None:
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            done.set_result(None)
            return done
        return asyncio.ensure_future(outcome)

    def _other(self, country: Country) -> Country:
        return self.cn if country is self.kz else self.kz


def _profiles_with_keys(source: Path, target: Path, keys: list[dict[str, str]]) -> Path:
    """A copy of the profiles in ``source`` whose keys are the partner's real public keys."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.json")):
        if path.name.endswith(".schema.json"):
            continue
        profile = json.loads(path.read_text(encoding="utf-8"))
        profile["keys"] = keys
        (target / path.name).write_text(json.dumps(profile, indent=2), encoding="utf-8")
    return target


def _settings(base: Settings, vhost: str, routing_dir: Path | None, url: str | None = None) -> Settings:
    return base.model_copy(
        update={
            "broker": base.broker.model_copy(update={"url": url, "vhost": vhost}),
            "hub": base.hub.model_copy(update={"routing_dir": routing_dir}),
        }
    )


@dataclass(frozen=True, slots=True)
class _Side:
    """One country's hub before its gateway runs, and the passwords of its broker users (none in memory)."""

    code: str
    hub_id: str
    embedded: EmbeddedHub
    passwords: Mapping[str, str] = field(default_factory=dict)


async def _memory_hubs(stack: AsyncExitStack, folder: Path, base: Settings, broker: MemoryBroker) -> list[_Side]:
    kz = await stack.enter_async_context(
        embedded_hub(folder / "kz.db", _settings(base, "/kz", None), memory_broker=broker)
    )
    cn = await stack.enter_async_context(
        embedded_hub(folder / "cn.db", _settings(base, "/cn", CN_DATA / "routing"), memory_broker=broker)
    )
    return [_Side("KZ", "kz-nsw", kz), _Side("CN", "cn-sw", cn)]


async def _rabbitmq_hubs(
    stack: AsyncExitStack, folder: Path, base: Settings, amqp_url: str, keep: bool
) -> tuple[list[_Side], dict[str, DemoVhost]]:
    """Each country's demo vhost (its routing data, suffixed users and link users) and its hub running
    there as the vhost's hub user, as ``nsw demo --amqp-url`` runs one hub."""
    from singlewindow.platform.demo.vhost import demo_vhost  # not at the top: platform.demo imports us

    vhosts: dict[str, DemoVhost] = {}
    sides = []
    for code, hub_id, routing in (("KZ", "kz-nsw", None), ("CN", "cn-sw", CN_DATA / "routing")):
        vhost = await stack.enter_async_context(
            demo_vhost(
                base.broker,
                base.topology,
                amqp_url,
                folder / f"{code.lower()}-vhost",
                keep=keep,
                routing_source=routing,
            )
        )
        vhosts[code] = vhost
        settings = _settings(base, vhost.vhost, vhost.routing_dir, vhost.url_for(vhost.hub_user))
        embedded = await stack.enter_async_context(embedded_hub(folder / f"{code.lower()}.db", settings))
        sides.append(_Side(code, hub_id, embedded, vhost.passwords))
    return sides, vhosts


@asynccontextmanager
async def two_countries(
    folder: Path,
    settings: Settings | None = None,
    *,
    kz_agencies: DecisionPolicy | None = accept_all,
    gacc_risk_rules: tuple[RiskRule, ...] = (),
    sweep_seconds: float = 0.2,
    amqp_url: str | None = None,
    keep: bool = False,
) -> AsyncIterator[TwoCountries]:
    """KZ and CN hubs, their gateways linked both ways, GACC deciding in CN and (unless ``kz_agencies`` is
    None) auto-deciders for KZ's agencies; everything stopped and closed afterwards.

    Without ``amqp_url``: one in-memory broker, vhosts ``/kz`` and ``/cn``, Shovel stand-ins. With it: two
    throwaway vhosts on that RabbitMQ (``demo_vhost``; management API from ``settings.broker``), every
    process under its own broker user (hubs, gateways as the partner users, GACC, KZ's agencies) and real
    Shovels as the link users; vhosts, users and Shovels are deleted afterwards unless ``keep``."""
    base = settings or Settings()
    kz_keys, cn_keys = Keystore(folder / "kz-keys"), Keystore(folder / "cn-keys")
    kz_keys.generate("kz-nsw")
    cn_keys.generate("cn-sw")
    profiles = {
        "KZ": _profiles_with_keys(default_directory(), folder / "kz-partners", cn_keys.export_public()),
        "CN": _profiles_with_keys(CN_DATA / "partners", folder / "cn-partners", kz_keys.export_public()),
    }
    keystores = {"KZ": kz_keys, "CN": cn_keys}
    async with AsyncExitStack() as stack:
        broker: MemoryBroker | None = None
        vhosts: dict[str, DemoVhost] = {}
        if amqp_url is None:
            broker = MemoryBroker()
            sides = await _memory_hubs(stack, folder, base, broker)
        else:
            sides, vhosts = await _rabbitmq_hubs(stack, folder, base, amqp_url, keep)
        countries = []
        for side in sides:
            countries.append(
                await _country(stack, folder, side, keystores[side.code], profiles[side.code], sweep_seconds)
            )
        kz, cn = countries
        kz_side, cn_side = sides
        gacc = GaccConfig(state_file=folder / "gacc-state.db", risk_rules=gacc_risk_rules)
        await _runtime(stack, cn_side, GaccAdapter(), "gacc", gacc, folder / "gacc.db")
        if kz_agencies is not None:
            for agency in kz_side.embedded.catalogue.agencies():
                password = kz_side.passwords.get(agency.broker_user)
                transport = await kz_side.embedded.agency_transport(agency.id, password)
                stack.push_async_callback(transport.close)
                decider = AutoDecider(agency.id, agency.broker_user, transport, kz_side.embedded.hub.codec, kz_agencies)
                await decider.start()
                stack.push_async_callback(decider.stop)
                kz.deciders.append(decider)
        links: MemoryLinks | RabbitMqLinks
        if broker is not None:
            links = MemoryLinks(broker)
        else:
            client = await stack.enter_async_context(ManagementClient.from_settings(base.broker))
            links = RabbitMqLinks(client, vhosts)
        pair = TwoCountries(broker, kz, cn, links, vhosts)
        for sender in (kz, cn):
            await pair.restore(sender)
            if not (keep and broker is None):  # a kept demo keeps its Shovels with its vhosts
                stack.push_async_callback(_cut, pair, sender)
        yield pair


async def _cut(pair: TwoCountries, sender: Country) -> None:
    await pair.cut(sender)


async def _country(
    stack: AsyncExitStack, folder: Path, side: _Side, keystore: Keystore, profiles: Path, sweep_seconds: float
) -> Country:
    """The country's gateway runtime (as the partner's broker user), its trader and the partner's principal."""
    embedded, code = side.embedded, side.code
    partner = "CN" if code == "KZ" else "KZ"
    recipient = embedded.catalogue.get(f"partner-{partner.lower()}")
    principal = (await embedded.hub.principals.add(recipient.id, Role.PARTNER)).principal
    trader = (await embedded.hub.principals.add(f"{code.lower()}-trader", Role.TRADER)).principal
    config = GatewayConfig(
        partner=partner,
        partners_dir=profiles,
        keys_dir=keystore.directory,
        store_url=f"sqlite+aiosqlite:///{folder / f'{code.lower()}-gateway.db'}",
        sweep_seconds=sweep_seconds,
    )
    gateway = CrossBorderGateway(intake=EmbeddedIntake(embedded.hub, principal))
    runtime = await _runtime(stack, side, gateway, recipient.id, config, folder / f"{code}-adapter.db")
    return Country(code, side.hub_id, embedded, gateway, runtime, keystore, profiles, trader, principal)


async def _runtime(
    stack: AsyncExitStack,
    side: _Side,
    adapter: Any,
    recipient_id: str,
    config: Any,
    store_path: Path,
) -> AdapterRuntime:
    embedded = side.embedded
    recipient = embedded.catalogue.get(recipient_id)
    transport = await embedded.agency_transport(recipient.id, side.passwords.get(recipient.broker_user))
    stack.push_async_callback(transport.close)
    store = await AdapterStore.open(f"sqlite+aiosqlite:///{store_path}", recipient.id)
    stack.push_async_callback(store.close)
    runtime = AdapterRuntime(type(adapter).__name__, adapter, recipient, config, transport, embedded.hub.codec, store)
    await runtime.start()
    stack.push_async_callback(runtime.stop)
    return runtime
