"""The router: one intake message in, the expected recipient set committed, one view out per recipient.

The recipient set and every delivery are written in one transaction (outbox) before anything is published,
so a crash after the commit re-sends the same messages (same ids) and a crash before it re-routes from the
redelivered intake message. Publishing is ``mandatory``: a missing inbox comes back as a failed delivery.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog

from singlewindow.platform.errors import InvalidInput
from singlewindow.platform.hub.codec import DocumentCodec
from singlewindow.platform.hub.consumer import settle
from singlewindow.platform.hub.messages import HEADER_VERSION, delivery_message, header_int
from singlewindow.platform.routing import RoutingTables, decide, project
from singlewindow.platform.state import OutboxMessage, OutboxRelay, RecipientStore, RoutedRecipient
from singlewindow.platform.transport import Delivery

log = structlog.get_logger(__name__)


class RouterService:
    def __init__(
        self,
        recipients: RecipientStore,
        tables: Callable[[], RoutingTables],
        codec: DocumentCodec,
        relay: OutboxRelay,
    ) -> None:
        self._recipients = recipients
        self._tables = tables
        self._codec = codec
        self._relay = relay

    async def handle(self, delivery: Delivery) -> None:
        async with settle(delivery, "router"):
            await self._route(delivery)

    async def _route(self, delivery: Delivery) -> None:
        submission_id, version = delivery.correlation_id, header_int(delivery.headers, HEADER_VERSION)
        if not submission_id or version is None or not delivery.type:
            raise InvalidInput("intake message without submission id, version or document type")
        document = await self._codec.decode(delivery.type, delivery.body)
        tables = self._tables()
        decision = decide(tables, delivery.type, document)
        routed: list[RoutedRecipient] = []
        bodies: dict[str, bytes] = {}
        for route in decision.recipients:
            recipient = tables.catalogue.get(route.recipient)
            view = project(tables.views.get(route.view), document, route.items, submission_id, version, route.recipient)
            bodies[route.recipient] = self._codec.encode(route.view, view)
            routed.append(
                RoutedRecipient(
                    route.recipient, recipient.kind.value, route.view, route.rule_ids, recipient.decision_deadline
                )
            )

        def message(entry: RoutedRecipient) -> OutboxMessage:
            return delivery_message(
                submission_id,
                version,
                entry.recipient,
                1,
                entry.view,
                bodies[entry.recipient],
                self._codec.content_type,
            )

        committed, rows = await self._recipients.commit_routing(submission_id, version, routed, message)
        log.info(
            "routed",
            submission_id=submission_id,
            version=version,
            recipients=decision.recipient_ids(),
            already=not committed,
        )
        if rows:
            self._relay.kick()
