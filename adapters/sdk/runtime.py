"""The adapter runtime: consume the agency's inbox, hand each document over once, publish what follows.

Per inbox message (at most ``prefetch`` at a time; the messages of one submission one at a time, in
arrival order, so a document and its cancellation notice never overlap):

1. a message id already recorded as handed over: re-send its delivery report, ack (never hand over twice);
2. decode the view; ``deliver`` it to the agency system (``replaced`` when the hub says it replaces a
   version this runtime handed over; nothing when the version was withdrawn or a newer one handed over);
3. store the hand-over (and an immediate decision) BEFORE acking;
4. publish the delivery report and the decision with confirm under the agency's broker user, then ack.

``AgencyUnavailable`` moves the document to the next retry tier and counts toward the circuit breaker;
while the breaker is open the consumer is paused (documents stay ready in the inbox) and ``health()`` is
probed until it answers. ``DocumentRefused`` dead-letters the document with the reason. Nothing waits
unacked for a late decision: those come through ``AdapterContext.decide`` at any time.

A query response goes to ``answered``, a cancellation notice to ``cancelled``, each once per message id. The
notice withdraws its version before ``cancelled`` is called (``pending()`` leaves it out, ``decide`` on it
raises ``VersionWithdrawn``, a document of it is not handed over), so a hook that raises and is retried
leaves no window for a document of that version to slip through. Any other
exception from a hook goes through the same retry tiers, then to the agency's dead letters with
``"<type>: <message>"`` as the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Awaitable
from typing import Any, TypeVar

import structlog

from singlewindow.adapters.sdk.base import Adapter
from singlewindow.adapters.sdk.breaker import CircuitBreaker
from singlewindow.adapters.sdk.context import AdapterContext
from singlewindow.adapters.sdk.decisions import DecisionDraft
from singlewindow.adapters.sdk.documents import PendingHandover, Replacement
from singlewindow.adapters.sdk.errors import AgencyUnavailable, DocumentRefused
from singlewindow.adapters.sdk.inbound import (
    is_cancellation,
    is_query_response,
    message_id_of,
    read_cancellation,
    read_document,
    read_query_response,
    refuse,
)
from singlewindow.adapters.sdk.link import PartnerLink, TransportLink
from singlewindow.adapters.sdk.mapping import decision_document, decision_message_id
from singlewindow.adapters.sdk.options import RuntimeOptions
from singlewindow.adapters.sdk.publisher import HubPublisher
from singlewindow.adapters.sdk.store import AdapterStore, DocumentBuilder, HandoverRecord
from singlewindow.adapters.sdk.turns import SubmissionTurns
from singlewindow.platform.catalogue import Recipient, RecipientKind
from singlewindow.platform.errors import InvalidInput
from singlewindow.platform.hub.codec import DocumentCodec
from singlewindow.platform.hub.messages import AGENCY_DECISION, replaces_of
from singlewindow.platform.retry import REASON_HEADER, RetryRoute, marked_for_dead_letter, retry_later
from singlewindow.platform.state.common import utcnow
from singlewindow.platform.topology import names
from singlewindow.platform.transport import Delivery, Subscription, Transport

T = TypeVar("T")


class _Refused(Exception):
    """Control flow: the document itself is wrong (unreadable, or refused by the agency): dead-letter it.

    Raised only around reading (``InvalidInput``) and the hooks (``DocumentRefused``), so an error from
    anything later (a decision that does not encode) is treated as a bug and retried, never as the
    document's fault.
    """

    def __init__(self, error: InvalidInput, *, by_agency: bool) -> None:
        super().__init__(error.message)
        self.error = error
        self.by_agency = by_agency


class AdapterRuntime:
    """Runs one adapter instance; ``start``/``stop`` bracket its whole life. Owns nothing it was given."""

    def __init__(
        self,
        name: str,
        adapter: Adapter[Any],
        recipient: Recipient,
        config: Any,
        transport: Transport,
        codec: DocumentCodec,
        store: AdapterStore,
        options: RuntimeOptions | None = None,
    ) -> None:
        self.name = name
        self.adapter = adapter
        self.recipient = recipient
        self.options = options or RuntimeOptions()
        self.breaker = CircuitBreaker(self.options.failure_threshold, self.options.probe_interval_seconds)
        self._config = config
        self._transport = transport
        self._codec = codec
        self._store = store
        self._route = RetryRoute.for_recipient(recipient)
        self.log = structlog.get_logger("singlewindow.adapters").bind(agency=recipient.id, adapter=name)
        self._publisher = HubPublisher(transport, codec, store, recipient.broker_user, self.log)
        self._sweeper: asyncio.Task[None] | None = None
        self._subscription: Subscription | None = None
        self._pausing = asyncio.Event()
        self._pause_task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self.turns = SubmissionTurns()
        """Messages of one submission (the correlation id) are handled one at a time, in arrival order."""

    @property
    def consuming(self) -> bool:
        return self._subscription is not None and not self._pausing.is_set()

    async def start(self) -> None:
        """setup, re-publish decisions left unconfirmed by a previous run, start, consume."""
        context = AdapterContext(self.recipient.id, self.name, self._config, self.log, self, self.link())
        self.adapter.bind(context)
        await self.adapter.setup(context)
        await self._publisher.republish()
        self._sweeper = asyncio.create_task(
            self._publisher.sweep_forever(self._stopping, self.options.republish_seconds), name=f"sweep-{self.name}"
        )
        await self.adapter.start()
        await self._subscribe()
        self.log.info("adapter started", prefetch=self.options.prefetch)

    async def stop(self) -> None:
        """Cancel the consumer (running deliveries finish), then the adapter's ``stop``; never raises."""
        self._stopping.set()
        if self._pause_task is not None:
            self._pause_task.cancel()
            await asyncio.gather(self._pause_task, return_exceptions=True)
        await self._unsubscribe()
        try:
            await self.adapter.stop()
        except Exception:
            self.log.exception("adapter stop failed")
        if self._sweeper is not None:
            await asyncio.gather(self._sweeper, return_exceptions=True)
        self.log.info("adapter stopped")

    def link(self) -> PartnerLink | None:
        """A partner hub's gateway gets the cross-border link, on the runtime's transport (its broker user)."""
        if self.recipient.kind is not RecipientKind.PARTNER:
            return None
        return TransportLink(self._transport, names.partner_key(self.recipient.id), self.log)

    # AdapterContext backend
    async def decide(self, submission_id: str, version: int, draft: DecisionDraft) -> int:
        stored = await self._store.add_decision(
            submission_id, version, draft.key(), self._builder(submission_id, version, draft)
        )
        if stored.created or not stored.published:
            await self._publisher.decision(stored)
        else:
            self.log.info("duplicate decision ignored", submission_id=submission_id, key=draft.key())
        return stored.sequence

    async def pending(self) -> list[PendingHandover]:
        return await self._store.pending()

    # Consuming
    async def _subscribe(self) -> None:
        self._pausing.clear()
        self._subscription = await self._transport.consume(
            names.inbox_queue(self.recipient.id), self._on_message, prefetch=self.options.prefetch
        )

    async def _unsubscribe(self) -> None:
        subscription, self._subscription = self._subscription, None
        self._pausing.set()  # handlers waiting on an open breaker give their documents back now
        if subscription is not None:
            await subscription.cancel()

    async def _pause(self) -> None:
        """Detach the consumer (the transport keeps it paused across reconnects), then let the handlers
        holding prefetched documents give them back: they go to the inbox, not straight back to us."""
        if self._subscription is not None:
            await self._subscription.pause()
        self._pausing.set()

    async def _resume(self) -> None:
        """The same subscription consumes again, now or as soon as the broker is back (issue 12)."""
        self._pausing.clear()
        if self._subscription is not None:
            await self._subscription.resume()

    async def _on_message(self, delivery: Delivery) -> None:
        if marked_for_dead_letter(delivery):  # our own copy, back to be dead-lettered by the broker
            self.log.info("dead-lettered", message_id=delivery.message_id, reason=delivery.headers.get(REASON_HEADER))
            await delivery.reject(requeue=False)
            return
        async with self.turns.turn(delivery.correlation_id):  # taken before any await: arrival order
            await self._handle(delivery)

    async def _handle(self, delivery: Delivery) -> None:
        if self.breaker.is_open or self._stopping.is_set():
            await self._give_back(delivery)
            return
        bound = self.log.bind(message_id=delivery.message_id, submission_id=delivery.correlation_id)
        try:
            if is_query_response(delivery):
                await self._on_answer(delivery, bound)
            elif is_cancellation(delivery):
                await self._on_cancellation(delivery, bound)
            else:
                await self._on_document(delivery, bound)
        except _Refused as refused:  # DocumentRefused, or a message nobody can read
            reason = refused.error.message
            bound.error("document refused: dead-lettered", reason=reason, by_agency=refused.by_agency)
            await refuse(self._transport, delivery, self._route, reason)
        except AgencyUnavailable as exc:
            if self.breaker.record_failure():
                self._trip()
            outcome = await retry_later(self._transport, delivery, self._route, f"agency unavailable: {exc.message}")
            bound.warning(
                "agency unavailable", attempt=outcome.attempt, tier=outcome.tier, breaker=self.breaker.state.value
            )
        except Exception as exc:
            bound.exception("adapter failed on a message; retried later", message_type=delivery.type)
            await retry_later(self._transport, delivery, self._route, f"{type(exc).__name__}: {exc}")

    async def _on_document(self, delivery: Delivery, bound: Any) -> None:
        existing = await self._store.handover(message_id_of(delivery))
        if existing is not None:
            bound.info("redelivered document already handed over: report re-sent", reference=existing.reference)
            await self._publisher.report(existing)
            await self._publisher.republish(submission_id=existing.submission_id, version=existing.version)
            await delivery.ack()
            return
        try:
            document = await read_document(delivery, self._codec, self.recipient.id)
        except InvalidInput as exc:
            raise _Refused(exc, by_agency=False) from exc
        stale = await self._withdrawn_or_outdated(document.submission_id, document.version)
        if stale is not None:
            bound.info("document not handed over: the version is no longer current here", why=stale)
            await delivery.ack()
            return
        replacement = await self._replacement(document.submission_id, document.version, delivery)
        if replacement is None:
            handover = await self._hook(self.adapter.deliver(document))
        else:
            handover = await self._hook(self.adapter.replaced(document, replacement))
        record = HandoverRecord(
            document.message_id,
            self.recipient.id,
            document.submission_id,
            document.version,
            document.attempt,
            document.ucr,
            document.view,
            handover.reference,
            utcnow(),
        )
        draft = handover.decision
        decision: tuple[str, DocumentBuilder] | None = None
        if draft is not None:
            key = draft.idempotency_key or f"handover:{document.message_id}"
            decision = (key, self._builder(document.submission_id, document.version, draft))
        stored = await self._store.record_handover(record, decision)
        bound.info("handed over", reference=handover.reference, decided=draft is not None, replaces=replacement)
        if replacement is not None:  # the replaced version awaits no decision of its own any more
            why = f"replaced by version {document.version}"
            await self._store.record_withdrawal(
                f"{document.message_id}.replaces", document.submission_id, replacement.previous_version, "replaced", why
            )
        await self._publisher.report(record)
        if stored is not None:
            await self._publisher.decision(stored)
        await delivery.ack()

    async def _on_answer(self, delivery: Delivery, bound: Any) -> None:
        if await self._store.answered(message_id_of(delivery)):
            await delivery.ack()
            return
        try:
            response = await read_query_response(delivery, self._codec, self.recipient.id)
        except InvalidInput as exc:
            raise _Refused(exc, by_agency=False) from exc
        await self._hook(self.adapter.answered(response))
        await self._store.record_answer(response.message_id)
        bound.info("query response passed on", sequence=response.query_sequence)
        await delivery.ack()

    async def _on_cancellation(self, delivery: Delivery, bound: Any) -> None:
        """Withdraw the version (no decision is expected or accepted on it), then pass the notice on once,
        even for a version never handed over: the system may still hold it in its intake."""
        if await self._store.notice_seen(message_id_of(delivery)):
            await delivery.ack()
            return
        try:
            notice = await read_cancellation(delivery, self._codec, self.recipient.id)
        except InvalidInput as exc:
            raise _Refused(exc, by_agency=False) from exc
        handed = await self._store.latest_handover(notice.submission_id, notice.version)
        if handed is not None:
            notice = dataclasses.replace(notice, reference=handed.reference)
        # Withdrawn first: should the hook fail, the notice is retried (the hook called again) while a
        # document of this version arriving meanwhile is still not handed over.
        await self._store.record_withdrawal(
            notice.message_id, notice.submission_id, notice.version, notice.kind, notice.reason
        )
        await self._hook(self.adapter.cancelled(notice))
        await self._store.record_notice_passed_on(notice.message_id)
        bound.info("cancellation passed on", version=notice.version, kind=notice.kind, reference=notice.reference)
        await delivery.ack()

    async def _hook(self, call: Awaitable[T]) -> T:
        """Await an adapter hook within the deliver timeout; a refusal dead-letters, a timeout is unavailability."""
        try:
            async with asyncio.timeout(self.options.deliver_timeout_seconds):
                result = await call
        except TimeoutError as exc:
            raise AgencyUnavailable(f"no answer within {self.options.deliver_timeout_seconds} s") from exc
        except DocumentRefused as exc:
            raise _Refused(exc, by_agency=True) from exc
        self.breaker.record_success()
        return result

    async def _withdrawn_or_outdated(self, submission_id: str, version: int) -> str | None:
        """Why a document must not be handed over: its version was withdrawn, or a newer one handed over."""
        withdrawn = await self._store.withdrawn(submission_id, version)
        if withdrawn is not None:
            return withdrawn
        newest = await self._store.latest_handover(submission_id)
        if newest is not None and newest.version > version:
            return f"version {newest.version} was already handed over"
        return None

    async def _replacement(self, submission_id: str, version: int, delivery: Delivery) -> Replacement | None:
        """The hub's replacement facts, when this runtime handed over the version they say is replaced."""
        facts = replaces_of(delivery.headers)
        if facts is None:
            return None
        previous = await self._store.latest_handover(submission_id, before=version)
        if previous is None:
            return None  # the system never got the older version: this one is simply a new document
        changes = facts[1] if previous.version == facts[0] else ("",)
        return Replacement(previous.version, previous.reference, changes)

    async def _give_back(self, delivery: Delivery) -> None:
        """Prefetched while the breaker opened: wait until the consumer is detached, then requeue."""
        await self._pausing.wait()
        if not delivery.settled:
            await delivery.nack(requeue=True)

    # Circuit breaker
    def _trip(self) -> None:
        if self._pause_task is None or self._pause_task.done():
            self._pause_task = asyncio.create_task(self._pause_and_probe(), name=f"breaker-{self.name}")

    async def _pause_and_probe(self) -> None:
        self.log.warning("circuit open: consumer paused, documents wait in the inbox", trips=self.breaker.trips)
        await self._pause()
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.breaker.probe_due())
            if self._stopping.is_set():
                return
            if await self._healthy():
                self.breaker.probe_succeeded()
                await self._resume()
                self.log.info("agency answers again: consuming resumed (half-open)")
                return
            self.breaker.probe_failed()

    async def _healthy(self) -> bool:
        try:
            async with asyncio.timeout(self.options.health_timeout_seconds):
                return bool(await self.adapter.health())
        except Exception as exc:
            self.log.info("health probe failed", error=str(exc) or type(exc).__name__)
            return False

    # Publishing
    def _builder(self, submission_id: str, version: int, draft: DecisionDraft) -> DocumentBuilder:
        agency = self.recipient.id

        def build(sequence: int, ucr: str) -> tuple[str, dict[str, Any]]:
            document = decision_document(agency, submission_id, version, ucr, sequence, draft, utcnow())
            self._codec.encode(AGENCY_DECISION, document)  # fails here, before it is stored, if it cannot travel
            return decision_message_id(agency, submission_id, version, sequence), document

        return build
