"""Replaying an agency's dead-lettered document through the hub, so its recipient goes back to PENDING.

A plain republish would reach the inbox, but the hub would still show DELIVERY_FAILED and, worse, ignore the
new delivery report (same attempt). The hub's replay starts a new delivery attempt in the state store and
sends the document again through the outbox under the new attempt's message id.

What is sent is the hub's own document: the bytes it recorded when it first sent this message, never the
dead letter's body or headers (an agency can write both). The recipient is the one the hub sent that
message to, and it must be the agency whose inbox the broker dead-lettered it from; otherwise the message
is left in place and the replay report says why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from singlewindow.platform.dlq import Republish
from singlewindow.platform.errors import AccessDenied, InvalidInput
from singlewindow.platform.hub.messages import delivery_message, replaces_of
from singlewindow.platform.hub.runtime import Hub
from singlewindow.platform.hub.sent import SentMessages, SentToAgency
from singlewindow.platform.state import OutboxMessage, RoutedRecipient
from singlewindow.platform.topology import names
from singlewindow.platform.transport import Delivery


def dead_in_agency(queue: str, headers: Mapping[str, Any], agencies: Sequence[str]) -> str | None:
    """The agency whose inbox the broker dead-lettered this DLQ message from, or None if nothing vouches.

    An agency DLQ is fed only by its inbox's broker dead-lettering. In ``nsw.hub.dlq`` the broker's newest
    deaths tell: from an agency DLQ, or from ``nsw.deadletters`` right after dying in an agency inbox (the
    broker moves each new death to the front, so these first entries are its own). A copy the hub parked
    itself carries no ``x-death``: nothing vouches for it.
    """
    dlqs = {names.dlq(a): a for a in agencies}
    if queue in dlqs:
        return dlqs[queue]
    if queue != names.HUB_DLQ:
        return None
    raw = headers.get("x-death")
    deaths = [d for d in raw if isinstance(d, Mapping)] if isinstance(raw, list | tuple) else []
    if not deaths:
        return None
    newest = deaths[0].get("queue")
    if isinstance(newest, str) and newest in dlqs:
        return dlqs[newest]
    inboxes = {names.inbox_queue(a): a for a in agencies}
    before = deaths[1].get("queue") if len(deaths) > 1 else None
    if newest == names.DEADLETTERS_QUEUE and isinstance(before, str) and before in inboxes:
        return inboxes[before]
    return None


def hub_republisher(hub: Hub, actor: str) -> Republish:
    """Hub messages to agencies go through the hub's record; anything else is left to the plain republish."""
    record = SentMessages(hub.engine)

    async def republish(delivery: Delivery, exchange: str, routing_key: str) -> bool:
        agencies = [a.id for a in hub.catalogue().with_inbox()]  # a partner's inbox dead-letters alike
        agency = dead_in_agency(delivery.queue, delivery.headers, agencies)
        sent = await record.to_agency(delivery.message_id)
        if agency is None and sent is None and exchange != names.AGENCY_EXCHANGE:
            return False  # not an agency's document: an intake event or a decision the hub parked
        if sent is None:
            raise InvalidInput(
                f"the hub sent no message with id {delivery.message_id!r} to an agency: left in place, not replayed"
            )
        if agency is None:
            raise AccessDenied(
                f"no broker-made x-death says whose inbox {sent.message.message_id} died in: left in place"
            )
        if sent.agency != names.agency_routing_key(agency):
            raise AccessDenied(
                f"{sent.message.message_id} was sent to {sent.agency} but dead-lettered from the {agency} inbox: "
                "left in place"
            )
        await _resend(hub, sent, agency, actor)
        return True

    return republish


async def _resend(hub: Hub, sent: SentToAgency, agency: str, actor: str) -> None:
    original = sent.message
    if sent.attempt is None:  # a query response or a notice: not a delivery attempt; the hub's message again
        await hub.transport.publish(original.outgoing())
        return

    def resend(entry: RoutedRecipient, attempt: int) -> OutboxMessage:
        return delivery_message(
            sent.submission_id,
            sent.version,
            agency,
            attempt,
            original.type,
            original.body,
            original.content_type,
            replaces_of(original.headers),  # a replayed replacement still says what it replaces
        )

    _, rows = await hub.recipients.replay(sent.submission_id, sent.version, agency, actor, resend)
    await hub.relay.publish_now(rows)
