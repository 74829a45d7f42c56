"""The router: one intake message in, the expected recipient set committed, one view out per recipient.

The recipient set and every delivery are written in one transaction (outbox) before anything is published,
so a crash after the commit re-sends the same messages (same ids) and a crash before it re-routes from the
redelivered intake message. Publishing is ``mandatory``: a missing inbox comes back as a failed delivery.

An amendment (version N+1) is compared with version N as it was routed: an agency N went to that N+1 no
longer routes to gets a cancellation-notice (SUPERSEDED) in the same transaction; an agency in both gets
the new view with the replacement facts in headers (the version replaced, the view pointers that changed,
diffed against the view the hub actually sent it).

A recipient whose catalogue entry says "document" for this document type (a partner hub, or an agency's
``documentViews``) gets the document as submitted, encoded as its own type: it carries no submissionId or
submissionVersion, so the adapter runtime reads them from the message (correlation id, version header).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import structlog

from singlewindow.platform.catalogue import RecipientKind
from singlewindow.platform.errors import InvalidInput, NotFound
from singlewindow.platform.hub.batches import settle_batch
from singlewindow.platform.hub.changes import changed_pointers
from singlewindow.platform.hub.codec import DocumentCodec
from singlewindow.platform.hub.messages import (
    CANCELLATION_NOTICE,
    HEADER_DECLARANT,
    HEADER_VERSION,
    NOTICE_SUPERSEDED,
    delivery_id,
    delivery_message,
    header_int,
    notice_document,
    notice_message,
)
from singlewindow.platform.hub.sent import SentMessages
from singlewindow.platform.routing import RoutingTables, decide, project
from singlewindow.platform.state import OutboxMessage, OutboxRelay, RecipientStore, RoutedRecipient
from singlewindow.platform.state.common import utcnow
from singlewindow.platform.state.recipients import Routing
from singlewindow.platform.transport import Delivery

if TYPE_CHECKING:
    from singlewindow.platform.risk import RiskAssessor

log = structlog.get_logger(__name__)

# The partner recipient a declarant is (a neighbouring single window's gateway submitting what it brought),
# or None for a trader: what that partner sent us is never routed back to it.
PartnerOf = Callable[[str], Awaitable[str | None]]


async def _no_partner(_declarant: str) -> str | None:
    return None


class RouterService:
    def __init__(
        self,
        recipients: RecipientStore,
        tables: Callable[[], RoutingTables],
        codec: DocumentCodec,
        relay: OutboxRelay,
        sent: SentMessages | None = None,
        partner_of: PartnerOf = _no_partner,
        risk: RiskAssessor | None = None,
    ) -> None:
        self._recipients = recipients
        self._partner_of = partner_of
        self._tables = tables
        self._codec = codec
        self._relay = relay
        self._sent = sent
        self._risk = risk

    async def handle(self, deliveries: Sequence[Delivery]) -> None:
        """A batch from the intake queue (``hub.batches``): each message decoded, routed and its views encoded
        on its own, every routing committed in one transaction."""
        await settle_batch("router", deliveries, self._route, self._commit, self._committed)

    async def _commit(self, batch: list[Routing]) -> list[bool | NotFound]:
        after = self._risk.record_routings if self._risk is not None else None
        outcomes, rows = await self._recipients.commit_routings(batch, after)
        self._relay.publish_soon(rows)
        return outcomes

    @staticmethod
    def _committed(routing: Routing, committed: object) -> None:
        log.info(
            "routed",
            submission_id=routing.submission_id,
            version=routing.version,
            recipients=tuple(r.recipient for r in routing.recipients),
            already=not committed,
        )

    async def _route(self, delivery: Delivery) -> Routing:
        submission_id, version = delivery.correlation_id, header_int(delivery.headers, HEADER_VERSION)
        if not submission_id or version is None or not delivery.type:
            raise InvalidInput("intake message without submission id, version or document type")
        document = await self._codec.decode(delivery.type, delivery.body)
        tables = self._tables()
        decision = decide(tables, delivery.type, document)
        declarant = delivery.headers.get(HEADER_DECLARANT)
        brought_by = await self._partner_of(declarant) if isinstance(declarant, str) else None
        routed: list[RoutedRecipient] = []
        bodies: dict[str, bytes] = {}
        views: dict[str, dict[str, Any]] = {}
        routes = [route for route in decision.recipients if route.recipient != brought_by]
        if len(routes) < len(decision.recipients):
            log.info("not routed back to the partner that brought it", submission_id=submission_id, partner=brought_by)
        risk = None
        if self._risk is not None and isinstance(declarant, str):
            agencies = [r.recipient for r in routes if tables.catalogue.get(r.recipient).kind is RecipientKind.AGENCY]
            risk = await self._risk.assess(submission_id, version, delivery.type, document, declarant, agencies)
        for route in routes:
            recipient = tables.catalogue.get(route.recipient)
            if route.whole_document:  # a partner hub (or a mapped type): the document as submitted, unprojected
                view = document
            else:
                view = project(
                    tables.views.get(route.view), document, route.items, submission_id, version, route.recipient
                )
                if risk is not None and route.recipient in risk.outcomes:  # only its own outcome, never another's
                    view["risk"] = risk.outcomes[route.recipient].view_field()
            bodies[route.recipient] = self._codec.encode(route.view, view)
            views[route.recipient] = view
            routed.append(
                RoutedRecipient(
                    route.recipient, recipient.kind.value, route.view, route.rule_ids, recipient.decision_deadline
                )
            )

        replaces, withdrawn = await self._against_previous(submission_id, version, str(document["ucr"]), views)

        def message(entry: RoutedRecipient) -> OutboxMessage:
            return delivery_message(
                submission_id,
                version,
                entry.recipient,
                1,
                entry.view,
                bodies[entry.recipient],
                self._codec.content_type,
                replaces.get(entry.recipient),
            )

        return Routing(
            submission_id,
            version,
            routed,
            message,
            withdrawn,
            risk=risk,
            document_type=delivery.type,
            document=document,
        )

    async def _against_previous(
        self, submission_id: str, version: int, ucr: str, views: Mapping[str, Mapping[str, Any]]
    ) -> tuple[dict[str, tuple[int, tuple[str, ...]]], list[OutboxMessage]]:
        """Replacement facts for agencies the previous version went to, and notices for those left out."""
        previous = version - 1
        sent_views = await self._recipients.routed_views(submission_id, previous) if previous >= 1 else None
        if not sent_views:
            return {}, []
        replaces: dict[str, tuple[int, tuple[str, ...]]] = {}
        withdrawn: list[OutboxMessage] = []
        now = utcnow()
        for recipient in sorted(sent_views):
            if recipient in views:
                before = await self._sent_view(submission_id, previous, recipient)
                changes = changed_pointers(before, views[recipient]) if before is not None else ("",)
                replaces[recipient] = (previous, changes)
                continue
            message_id, notice = notice_document(
                submission_id=submission_id,
                version=previous,
                ucr=ucr,
                recipient=recipient,
                kind=NOTICE_SUPERSEDED,
                reason=f"amended: version {version} is no longer routed to {recipient}",
                issued_at=now,
                superseded_by=version,
            )
            body = self._codec.encode(CANCELLATION_NOTICE, notice)
            withdrawn.append(notice_message(message_id, notice, body, self._codec.content_type))
        return replaces, withdrawn

    async def _sent_view(self, submission_id: str, version: int, recipient: str) -> dict[str, Any] | None:
        """The view the hub sent ``recipient`` for ``version`` (its first attempt; replays send the same bytes)."""
        if self._sent is None:
            return None
        sent = await self._sent.to_agency(delivery_id(submission_id, version, recipient, 1))
        if sent is None:
            return None
        return await self._codec.decode(sent.message.type, sent.message.body)
