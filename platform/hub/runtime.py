"""One hub process: the stores, the outbox relay, the router, the aggregator and the status notifier, wired
to one transport and one database. Hub processes are stateless competing consumers; run several on
PostgreSQL for more throughput or availability."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.aggregation import TransportState
from singlewindow.platform.catalogue import Catalogue, RecipientKind
from singlewindow.platform.errors import NotFound, PermanentError
from singlewindow.platform.hub.access import Access
from singlewindow.platform.hub.aggregator import AggregatorService
from singlewindow.platform.hub.batches import Batcher
from singlewindow.platform.hub.codec import DocumentCodec
from singlewindow.platform.hub.consumer import parking
from singlewindow.platform.hub.intake import IntakeLimits, IntakeService
from singlewindow.platform.hub.messages import (
    HEADER_ATTEMPT,
    HEADER_RECIPIENT,
    HEADER_VERSION,
    header_int,
    status_document,
    status_message,
)
from singlewindow.platform.hub.router import RouterService
from singlewindow.platform.hub.sent import SentMessages
from singlewindow.platform.hub.watch import StatusNotifier, WatchService
from singlewindow.platform.identity import PrincipalStore, Role
from singlewindow.platform.payments.invoices import InvoiceBook
from singlewindow.platform.payments.schedules import FeeSchedules
from singlewindow.platform.risk import ProfileStore, RiskAssessor, RiskKeys
from singlewindow.platform.risk.demo import publish_demo_profiles
from singlewindow.platform.routing import ReloadingTables
from singlewindow.platform.settings import FeeSettings, HubSettings, LimitSettings, RiskSettings
from singlewindow.platform.specs import DocumentValidator
from singlewindow.platform.state import (
    EventLog,
    OutboxMessage,
    OutboxRelay,
    RecipientStore,
    StatusChange,
    SubmissionStore,
)
from singlewindow.platform.state.changes import StatusMessageFactory
from singlewindow.platform.topology import names
from singlewindow.platform.transport import Handler, Subscription, Transport

log = structlog.get_logger(__name__)

_KNOWN_DECLARANTS = 10_000
"""Declarants whose role the router remembers (a partner's submissions are never routed back to it)."""


@dataclass
class Hub:
    """Everything one hub process runs; ``start`` subscribes, ``stop`` drains and closes nothing it did not open."""

    engine: AsyncEngine
    transport: Transport
    codec: DocumentCodec
    settings: HubSettings
    tables: ReloadingTables
    principals: PrincipalStore
    submissions: SubmissionStore
    recipients: RecipientStore
    relay: OutboxRelay
    intake: IntakeService
    router: RouterService
    aggregator: AggregatorService
    events: EventLog
    watch: WatchService
    notifier: StatusNotifier
    risk: RiskAssessor
    risk_settings: RiskSettings = field(default_factory=RiskSettings)
    fees: InvoiceBook | None = None  # set when the hub charges fees (settings.fees.enabled)
    status_message: StatusMessageFactory | None = None  # how a status change becomes its outbox message
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _subscriptions: list[Subscription] = field(default_factory=list)

    def catalogue(self) -> Catalogue:
        return self.tables().catalogue

    async def start(self, *, consume: bool = True) -> None:
        """Publish leftover outbox rows, then consume; ``consume=False`` runs intake only (API-only process)."""
        self._stop.clear()
        if self.risk_settings.demo_profiles:  # embedded demos only (settings): never the production default
            agencies = [r.id for r in self.catalogue().recipients if r.kind is RecipientKind.AGENCY]
            await publish_demo_profiles(self.risk.keys, self.risk.profiles, agencies)
        self._tasks.append(asyncio.create_task(self.relay.run(self._stop), name="outbox-relay"))
        await self.notifier.start(self.transport)
        if consume:
            prefetch = self.settings.prefetch
            batch = self.settings.batch_size
            handlers: tuple[tuple[str, Handler], ...] = (
                (names.ROUTER_QUEUE, Batcher(self.router.handle, batch)),
                (names.AGGREGATOR_QUEUE, Batcher(self.aggregator.handle_decisions, batch)),
                (names.DEADLETTERS_QUEUE, self.aggregator.handle_dead_letter),
            )
            for queue, handler in handlers:
                # What a handler refuses is parked in nsw.hub.dlq with the hub's reason (hub.consumer).
                parked = parking(self.transport, handler)
                self._subscriptions.append(await self.transport.consume(queue, parked, prefetch=prefetch))
            self._tasks.append(
                asyncio.create_task(
                    self.aggregator.run_deadlines(self._stop, self.settings.deadline_scan_seconds), name="deadlines"
                )
            )
        log.info("hub started", consuming=consume)

    async def stop(self) -> None:
        for subscription in self._subscriptions:
            await subscription.cancel()
        self._subscriptions.clear()
        await self.notifier.stop()
        self._stop.set()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        log.info("hub stopped")


def build_hub(
    engine: AsyncEngine,
    transport: Transport,
    codec: DocumentCodec,
    validator: DocumentValidator,
    settings: HubSettings,
    limits: LimitSettings,
    risk_settings: RiskSettings | None = None,
    fees: FeeSettings | None = None,
) -> Hub:
    tables = ReloadingTables(settings.routing_dir)
    risk_settings = risk_settings or RiskSettings()
    risk_keys = RiskKeys(engine)
    risk = RiskAssessor(engine, risk_keys, ProfileStore(engine, risk_keys, risk_settings.cache_seconds))
    book = InvoiceBook(FeeSchedules.load(fees.schedules_dir)) if fees is not None and fees.enabled else None

    def encode_status(change: StatusChange) -> OutboxMessage:
        return status_message(change, codec.encode("clearance-status", status_document(change)), codec.content_type)

    principals = PrincipalStore(engine)
    submissions = SubmissionStore(engine, encode_status, book)
    recipients = RecipientStore(engine, encode_status, book)

    async def unroutable(message: OutboxMessage, error: PermanentError) -> None:
        """A delivery the broker refused (no inbox bound, access refused): the recipient cannot get it."""
        version = header_int(message.headers, HEADER_VERSION)
        recipient = message.headers.get(HEADER_RECIPIENT)
        if message.correlation_id and version is not None and isinstance(recipient, str):
            _, rows = await recipients.apply_transport(
                message.correlation_id,
                version,
                recipient,
                TransportState.DELIVERY_FAILED,
                header_int(message.headers, HEADER_ATTEMPT) or 1,
                "hub",
                {"reason": str(error)},
            )
            relay.publish_soon(rows)  # the status it caused

    roles: dict[str, tuple[Role, str]] = {}  # declarant id -> (role, name): neither ever changes

    async def partner_of(declarant_id: str) -> str | None:
        """The PARTNER recipient a declarant is: a partner principal is named after its recipient. The
        principal is read once per process, not once per routed submission."""
        if declarant_id not in roles:
            try:
                principal = await principals.get(declarant_id)
            except NotFound:
                return None
            if len(roles) >= _KNOWN_DECLARANTS:  # bounded: a busy hub sees many traders
                roles.clear()
            roles[declarant_id] = (principal.role, principal.name)
        role, name = roles[declarant_id]
        if role is not Role.PARTNER:
            return None
        found = tables().catalogue.by_id(name)
        return found.id if found is not None and found.kind is RecipientKind.PARTNER else None

    relay = OutboxRelay(engine, transport, unroutable, poll_seconds=settings.outbox_poll_seconds)
    access = Access(principals)
    events = EventLog(engine)
    notifier = StatusNotifier()
    return Hub(
        engine=engine,
        transport=transport,
        codec=codec,
        settings=settings,
        tables=tables,
        principals=principals,
        submissions=submissions,
        recipients=recipients,
        relay=relay,
        intake=IntakeService(
            submissions,
            recipients,
            validator,
            codec,
            relay,
            access,
            IntakeLimits(limits.max_document_bytes, frozenset(settings.submittable_types)),
        ),
        router=RouterService(recipients, tables, codec, relay, SentMessages(engine), partner_of, risk),
        aggregator=AggregatorService(
            recipients,
            lambda: tables().catalogue,
            validator,
            codec,
            relay,
            SentMessages(engine),
            risk.propose_on_decisions,
        ),
        events=events,
        watch=WatchService(events, access, notifier),
        notifier=notifier,
        risk=risk,
        risk_settings=risk_settings,
        fees=book,
        status_message=encode_status,
    )
