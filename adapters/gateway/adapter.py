"""``CrossBorderGateway``: the adapter of a PARTNER recipient, i.e. our end of the link to one neighbouring
single window.

To the hub the partner is a recipient like an agency: the router sends it the documents the routing rules
give it, the runtime reports them DELIVERED once they are durably on the link (sealed, stored, confirmed
into ``crossborder.out.<partner>``), and the partner's business answer comes back as this recipient's
decision, checked by the hub like any agency's (validated ``user_id`` of the partner's broker user).

In the other direction it consumes ``crossborder.in.<partner>``: receipts for our envelopes, and the
partner's envelopes, verified and submitted into our intake under the partner's principal (``inbound``).
A background sweep sends our answers on what the partner brought (``answers``), applies waiting documents
whose prerequisite became known, and sends again what the partner has not receipted.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from datetime import timedelta
from pathlib import Path
from typing import Protocol
from wsgiref.simple_server import WSGIServer

from prometheus_client import start_http_server
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from singlewindow.adapters import (
    Adapter,
    AdapterContext,
    Cancellation,
    DocumentRefused,
    Handover,
    InboundDocument,
    Replacement,
)
from singlewindow.adapters.gateway.answers import FINAL, answer_for
from singlewindow.adapters.gateway.inbound import ANSWER_TYPE, InboundGateway
from singlewindow.adapters.gateway.intake import HttpIntake, IntakePort
from singlewindow.adapters.gateway.keystore import Keystore
from singlewindow.adapters.gateway.metrics import GatewayMetrics
from singlewindow.adapters.gateway.outbound import OutboundGateway
from singlewindow.adapters.gateway.profiles import PartnerProfile, default_directory, load_profile, load_profiles
from singlewindow.adapters.gateway.store import GatewayStore
from singlewindow.adapters.gateway.withdrawals import KINDS, WITHDRAWAL_TYPE, withdrawal_for
from singlewindow.adapters.sdk.link import LinkMessage, PartnerLink
from singlewindow.platform.errors import ConfigurationError, InvalidInput, NswError, TransientError
from singlewindow.platform.state.common import utcnow


class _Cancellable(Protocol):
    """The link's subscription, as far as the gateway uses it."""

    async def cancel(self) -> None: ...


STOP_GRACE_SECONDS = 10.0
"""How long ``stop`` waits for link messages being handled (each is a few database statements)."""


class GatewayConfig(BaseModel):
    """The gateway's config file (``nsw adapter run crossborder-gateway --config FILE``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    partner: str = Field(pattern=r"^[A-Z]{2}$", description="The partner's country, e.g. CN.")
    partners_dir: Path | None = Field(default=None, description="Partner profiles; default message_specs/partners.")
    keys_dir: Path = Field(description="Our signing keys (nsw gateway keys generate).")
    store_url: str = Field(description="The gateway's own database (SQLite file or PostgreSQL).")
    hub_url: str = Field(default="http://127.0.0.1:8080", description="Our hub's HTTP API.")
    hub_token_env: str = Field(
        default="NSW_GATEWAY_HUB_TOKEN",
        description="Variable holding the token of the partner's principal on our hub (role partner).",
    )
    sweep_seconds: float = Field(default=2.0, gt=0, le=3600)
    resend_after: timedelta = Field(default=timedelta(minutes=10), description="Resend unreceipted envelopes.")
    metrics_port: int | None = Field(
        default=None, ge=0, le=65_535, description="Serve the gateway's Prometheus metrics on this port."
    )
    metrics_host: str = Field(default="127.0.0.1", description="Address of the metrics listener.")
    max_link_delay: timedelta = Field(
        default=timedelta(days=2), description="How old an envelope may arrive (a link held back by an outage)."
    )


class CrossBorderGateway(Adapter[GatewayConfig]):
    """Cross-border gateway: signed envelopes and receipts with a neighbouring single window."""

    agency = "partner-cn"
    config_model = GatewayConfig

    def __init__(self, intake: IntakePort | None = None, metrics: GatewayMetrics | None = None) -> None:
        self._given_intake = intake
        self.metrics = metrics or GatewayMetrics()
        self._store: GatewayStore | None = None
        self._intake: IntakePort | None = None
        self.inbound: InboundGateway | None = None
        self.outbound: OutboundGateway | None = None
        self._stop = asyncio.Event()
        self._sweeper: asyncio.Task[None] | None = None
        self._subscription: _Cancellable | None = None
        self._handling = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._metrics_server: WSGIServer | None = None
        self._profile_file: Path | None = None
        self._profile_stamp = 0

    async def setup(self, context: AdapterContext[GatewayConfig]) -> None:
        config = context.config
        profiles = load_profiles(config.partners_dir)
        profile = profiles.get(config.partner.lower())
        if profile is None:
            raise ConfigurationError(f"no partner profile for {config.partner} in {config.partners_dir or 'the specs'}")
        if profile.recipient != context.agency:
            raise ConfigurationError(
                f"the {config.partner} profile names recipient {profile.recipient!r}, this gateway runs as "
                f"{context.agency!r}"
            )
        keystore = Keystore(config.keys_dir)
        keystore.active()  # no key: refuse to start rather than fail on the first envelope
        if context.link is None:
            raise ConfigurationError(f"recipient {context.agency} is not a PARTNER in the catalogue: no link")
        self._store = await GatewayStore.open(config.store_url)
        self._intake = self._given_intake or _http_intake(config)
        self._profile_file = (config.partners_dir or default_directory()) / f"{profile.key}.json"
        self._profile_stamp = self._profile_file.stat().st_mtime_ns
        home = {"country": profile.home.country, "hubId": profile.home.hub_id}
        self.outbound = OutboundGateway(profile, home, self._store, context.link, keystore.active, self.metrics)
        self.inbound = InboundGateway(
            profile,
            home,
            self._store,
            context.link,
            self._intake,
            keystore.active,
            context.decide,
            self.metrics,
            max_link_delay=config.max_link_delay,
        )

    @property
    def store(self) -> GatewayStore:
        if self._store is None:
            raise RuntimeError("the gateway store opens in setup")
        return self._store

    async def start(self) -> None:
        assert self.inbound is not None
        link: PartnerLink | None = self.context.link
        assert link is not None
        self._stop.clear()
        self._subscription = await link.receive(self._on_link)
        self._sweeper = asyncio.create_task(self._sweep_forever(), name=f"gateway-sweep-{link.partner}")
        config = self.context.config
        if config.metrics_port is not None:
            self._metrics_server, _ = start_http_server(
                config.metrics_port, addr=config.metrics_host, registry=self.metrics.registry
            )

    async def stop(self) -> None:
        self._stop.set()
        if self._metrics_server is not None:
            self._metrics_server.shutdown()
            self._metrics_server.server_close()
        if self._subscription is not None:
            with contextlib.suppress(Exception):
                await self._subscription.cancel()
        with contextlib.suppress(TimeoutError):  # what the link handed us finishes before the store closes
            await asyncio.wait_for(self._idle.wait(), STOP_GRACE_SECONDS)
        if self._sweeper is not None:
            await asyncio.gather(self._sweeper, return_exceptions=True)
        close = getattr(self._intake, "close", None)
        if close is not None and self._given_intake is None:
            await close()
        if self._store is not None:
            await self._store.close()

    async def _on_link(self, message: LinkMessage) -> None:
        assert self.inbound is not None
        self._handling += 1
        self._idle.clear()
        try:
            await self.inbound.handle(message)
        finally:
            self._handling -= 1
            if self._handling == 0:
                self._idle.set()

    async def deliver(self, document: InboundDocument) -> Handover:
        assert self.outbound is not None
        try:
            sent = await self.outbound.send(
                document.view,
                document.body,
                source_key=document.handover_key,
                kind="document",
                submission_id=document.submission_id,
                version=document.version,
            )
        except InvalidInput as exc:
            raise DocumentRefused(f"not sent to the partner: {exc.message}") from exc
        return Handover(reference=sent.envelope_id)

    async def replaced(self, document: InboundDocument, replacement: Replacement) -> Handover:
        """An amendment still routed to the partner: the new version goes as a new envelope, and the one it
        replaces is withdrawn there, so the partner holds one live cross-border submission, the newest."""
        handover = await self.deliver(document)
        reason = f"replaced by version {document.version}"
        await self._withdraw(
            document.submission_id, replacement.previous_version, "superseded", reason, document.version
        )
        return handover

    async def cancelled(self, notice: Cancellation) -> None:
        """Our submission was cancelled (or an amendment no longer routes it to the partner): withdraw what we
        sent the partner for that version, so its cross-border submission is cancelled there too."""
        if notice.kind not in KINDS:
            await super().cancelled(notice)
            return
        await self._withdraw(notice.submission_id, notice.version, notice.kind, notice.reason, notice.superseded_by)

    async def _withdraw(
        self, submission_id: str, version: int, kind: str, reason: str, superseded_by: int | None
    ) -> None:
        assert self.outbound is not None
        partner = self.outbound.partner
        for sent in await self.store.sent_for(partner, submission_id):
            if sent.version != version or sent.kind != "document":
                continue
            withdrawal = withdrawal_for(
                sent, kind, reason, superseded_by, self.context.agency, self.outbound.home, utcnow()
            )
            await self.outbound.send(
                WITHDRAWAL_TYPE,
                withdrawal,
                source_key=f"withdraw:{sent.envelope_id}",
                kind="withdrawal",
                submission_id=submission_id,
                version=version,
            )

    # -- the sweep -------------------------------------------------------------------------------------------
    async def _sweep_forever(self) -> None:
        interval = self.context.config.sweep_seconds
        while not self._stop.is_set():
            try:
                await self.sweep()
            except (TransientError, NswError) as exc:
                self.context.log.warning("gateway sweep failed; next round retries", error=str(exc))
            except Exception:
                self.context.log.exception("gateway sweep failed; next round retries")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), interval)

    async def sweep(self) -> None:
        """One round: our answers on what the partner brought, waiting documents, unreceipted envelopes."""
        assert self.inbound is not None and self.outbound is not None and self._intake is not None
        self.reload_profile()
        await self.answer_pending()
        await self.inbound.reprocess_released()
        await self.inbound.wake()
        await self.outbound.resend_unreceipted(self.context.config.resend_after)

    def reload_profile(self) -> PartnerProfile | None:
        """Take the partner's profile again when its file changed (a key imported for a rotation, a new
        translation): no restart, so a rotation with an overlap loses nothing. A profile that does not check
        is logged and the one in use is kept."""
        assert self.inbound is not None and self.outbound is not None and self._profile_file is not None
        try:
            stamp = self._profile_file.stat().st_mtime_ns
            if stamp == self._profile_stamp:
                return None
            profile = load_profile(self._profile_file)
        except (OSError, ConfigurationError) as exc:
            self.context.log.error("partner profile not reloaded; the one in use stays", error=str(exc))
            return None
        self._profile_stamp = stamp
        if profile.recipient != self.inbound.profile.recipient or profile.key != self.inbound.profile.key:
            self.context.log.error("partner profile names another partner or recipient; not taken")
            return None
        self.inbound.profile = self.outbound.profile = profile
        self.context.log.info("partner profile reloaded", partner=profile.key, keys=[k.key_id for k in profile.keys])
        return profile

    async def answer_pending(self) -> int:
        """Send the answer on every cross-border submission whose consolidated status moved to a decision."""
        assert self.outbound is not None and self._intake is not None
        sent = 0
        home = self.outbound.home
        for received in await self.store.applied_unanswered(self.outbound.partner, FINAL):
            assert received.submission_id is not None
            view = await self._intake.status(received.submission_id)
            status = str(view.get("status"))
            if status == received.answered_status:
                continue
            answer = answer_for(received, view, home, utcnow())
            if answer is not None:
                await self.outbound.send(ANSWER_TYPE, answer, source_key=str(answer["documentId"]), kind="answer")
                sent += 1
            if answer is not None or status in FINAL:
                await self.store.record_answered(self.outbound.partner, received.envelope_id, status)
        return sent


def _http_intake(config: GatewayConfig) -> HttpIntake:
    token = os.environ.get(config.hub_token_env)
    if not token:
        raise ConfigurationError(
            f"set {config.hub_token_env} to the token of the partner's principal on our hub "
            f"(nsw principals add partner-{config.partner.lower()} --role partner)"
        )
    return HttpIntake(config.hub_url, SecretStr(token).get_secret_value())
