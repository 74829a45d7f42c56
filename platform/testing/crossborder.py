"""Two national single windows joined by their gateways, in one process: what ``nsw demo`` shows of the
cross-border exchange and what the gateway's end-to-end tests run.

KZ runs the shipped routing; CN runs the demo's second-country data (``platform/demo/data/cn``: the General
Administration of Customs as one agency, GACC). Both hubs live in their own vhost of one in-memory broker,
each partner's gateway under its own broker user, each link a Shovel stand-in (``MemoryBroker.start_shovel``)
writing into the other vhost as the link user, exactly as ``nsw gateway link`` sets up on RabbitMQ. Each side
generates its signing key and gets the other's public key in its profile of it, as two administrations do
with ``nsw gateway keys export`` and ``import``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from singlewindow.adapters.gacc import GaccAdapter, GaccConfig, RiskRule
from singlewindow.adapters.gateway import CrossBorderGateway, GatewayConfig
from singlewindow.adapters.gateway.keystore import Keystore
from singlewindow.adapters.gateway.profiles import default_directory
from singlewindow.adapters.sdk.runtime import AdapterRuntime
from singlewindow.adapters.sdk.store import AdapterStore
from singlewindow.platform.hub.runtime import Hub
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.settings import Settings
from singlewindow.platform.testing.autodecide import AutoDecider, DecisionPolicy, accept_all
from singlewindow.platform.testing.embedded import EmbeddedHub, embedded_hub
from singlewindow.platform.topology import names
from singlewindow.platform.transport import MemoryBroker

CN_DATA = Path(__file__).resolve().parent.parent / "demo" / "data" / "cn"


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


@dataclass
class TwoCountries:
    broker: MemoryBroker
    kz: Country
    cn: Country

    def cut(self, sender: Country) -> None:
        """Cut ``sender``'s link to the other (the Shovel is deleted); envelopes wait in its outbound queue."""
        self.broker.stop_shovel(_shovel_name(sender, self._other(sender)))

    def restore(self, sender: Country) -> None:
        _shovel(self.broker, sender, self._other(sender))

    def _other(self, country: Country) -> Country:
        return self.cn if country is self.kz else self.kz


def _shovel_name(sender: Country, receiver: Country) -> str:
    return names.shovel_name(receiver.code.lower())


def _shovel(broker: MemoryBroker, sender: Country, receiver: Country) -> None:
    partner, us = receiver.code.lower(), sender.code.lower()
    broker.start_shovel(
        _shovel_name(sender, receiver),
        sender.vhost,
        names.crossborder_out_queue(partner),
        receiver.vhost,
        names.crossborder_in_exchange(us),
        names.link_user(us),
        reconnect_delay=0.2,
    )


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


def _settings(base: Settings, vhost: str, routing_dir: Path | None) -> Settings:
    return base.model_copy(
        update={
            "broker": base.broker.model_copy(update={"url": None, "vhost": vhost}),
            "hub": base.hub.model_copy(update={"routing_dir": routing_dir}),
        }
    )


@asynccontextmanager
async def two_countries(
    folder: Path,
    settings: Settings | None = None,
    *,
    kz_agencies: DecisionPolicy | None = accept_all,
    gacc_risk_rules: tuple[RiskRule, ...] = (),
    sweep_seconds: float = 0.2,
) -> AsyncIterator[TwoCountries]:
    """KZ and CN hubs, their gateways linked both ways, GACC deciding in CN and (unless ``kz_agencies`` is
    None) auto-deciders for KZ's agencies; everything stopped and closed afterwards."""
    base = settings or Settings()
    broker = MemoryBroker()
    kz_keys, cn_keys = Keystore(folder / "kz-keys"), Keystore(folder / "cn-keys")
    kz_keys.generate("kz-nsw")
    cn_keys.generate("cn-sw")
    kz_profiles = _profiles_with_keys(default_directory(), folder / "kz-partners", cn_keys.export_public())
    cn_profiles = _profiles_with_keys(CN_DATA / "partners", folder / "cn-partners", kz_keys.export_public())
    async with AsyncExitStack() as stack:
        kz_hub = await stack.enter_async_context(
            embedded_hub(folder / "kz.db", _settings(base, "/kz", None), memory_broker=broker)
        )
        cn_hub = await stack.enter_async_context(
            embedded_hub(folder / "cn.db", _settings(base, "/cn", CN_DATA / "routing"), memory_broker=broker)
        )
        countries = []
        for code, hub_id, embedded, keystore, profiles in (
            ("KZ", "kz-nsw", kz_hub, kz_keys, kz_profiles),
            ("CN", "cn-sw", cn_hub, cn_keys, cn_profiles),
        ):
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
            runtime = await _runtime(stack, embedded, gateway, recipient.id, config, folder / f"{code}-adapter.db")
            countries.append(Country(code, hub_id, embedded, gateway, runtime, keystore, profiles, trader, principal))
        kz, cn = countries
        gacc = GaccConfig(state_file=folder / "gacc-state.db", risk_rules=gacc_risk_rules)
        await _runtime(stack, cn_hub, GaccAdapter(), "gacc", gacc, folder / "gacc.db")
        if kz_agencies is not None:
            for agency in kz_hub.catalogue.agencies():
                transport = await kz_hub.agency_transport(agency.id)
                stack.push_async_callback(transport.close)
                decider = AutoDecider(agency.id, agency.broker_user, transport, kz_hub.hub.codec, kz_agencies)
                await decider.start()
                stack.push_async_callback(decider.stop)
                kz.deciders.append(decider)
        pair = TwoCountries(broker, kz, cn)
        for sender in (kz, cn):
            _shovel(broker, sender, pair._other(sender))
            stack.callback(broker.stop_shovel, _shovel_name(sender, pair._other(sender)))
        yield pair


async def _runtime(
    stack: AsyncExitStack,
    embedded: EmbeddedHub,
    adapter: Any,
    recipient_id: str,
    config: Any,
    store_path: Path,
) -> AdapterRuntime:
    recipient = embedded.catalogue.get(recipient_id)
    transport = await embedded.agency_transport(recipient.id)
    stack.push_async_callback(transport.close)
    store = await AdapterStore.open(f"sqlite+aiosqlite:///{store_path}", recipient.id)
    stack.push_async_callback(store.close)
    runtime = AdapterRuntime(type(adapter).__name__, adapter, recipient, config, transport, embedded.hub.codec, store)
    await runtime.start()
    stack.push_async_callback(runtime.stop)
    return runtime
