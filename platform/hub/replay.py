"""Replaying an agency's dead-lettered document through the hub, so its recipient goes back to PENDING.

A plain republish would reach the inbox, but the hub would still show DELIVERY_FAILED and, worse, ignore the
new delivery report (same attempt). The hub's replay starts a new delivery attempt in the state store and
sends the document again through the outbox under the new attempt's message id.
"""

from __future__ import annotations

from singlewindow.platform.dlq import Republish
from singlewindow.platform.hub.codec import CONTENT_TYPE
from singlewindow.platform.hub.messages import HEADER_RECIPIENT, HEADER_VERSION, delivery_message, header_int
from singlewindow.platform.state import OutboxMessage, OutboxRelay, RecipientStore, RoutedRecipient
from singlewindow.platform.topology import names
from singlewindow.platform.transport import Delivery


def hub_republisher(recipients: RecipientStore, relay: OutboxRelay, actor: str) -> Republish:
    """Hub documents go through ``RecipientStore.replay``; anything else is left to the plain republish."""

    async def republish(delivery: Delivery, exchange: str, routing_key: str) -> bool:
        submission_id = delivery.correlation_id
        version = header_int(delivery.headers, HEADER_VERSION)
        recipient = delivery.headers.get(HEADER_RECIPIENT)
        if exchange != names.AGENCY_EXCHANGE or not submission_id or version is None or not isinstance(recipient, str):
            return False

        def resend(entry: RoutedRecipient, attempt: int) -> OutboxMessage:
            return delivery_message(
                submission_id,
                version,
                recipient,
                attempt,
                delivery.type or entry.view,
                delivery.body,
                delivery.content_type or CONTENT_TYPE,
            )

        _, rows = await recipients.replay(submission_id, version, recipient, actor, resend)
        await relay.publish_now(rows)
        return True

    return republish
