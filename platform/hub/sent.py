"""The hub's own record of what it sent into agency inboxes: the outbox rows, kept after publishing.

A dead letter or a DLQ message is only as trustworthy as what the broker vouches for; everything else about
it (submission, version, recipient, attempt, the document itself) is read from here by its message id,
never from headers or a body an agency could have written.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.hub.messages import HEADER_ATTEMPT, HEADER_VERSION, header_int
from singlewindow.platform.state import OutboxMessage
from singlewindow.platform.state.outbox import outbox_message
from singlewindow.platform.storage.tables import outbox
from singlewindow.platform.topology import names


@dataclass(frozen=True, slots=True)
class SentToAgency:
    """One message the hub published to ``nsw.agency`` for ``agency`` (a document or a query response)."""

    message: OutboxMessage
    agency: str
    submission_id: str
    version: int
    attempt: int | None
    """The delivery attempt; None for a query response (it is not a delivery of the document)."""


class SentMessages:
    """Looks up the hub's outbox by message id (unique there)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def to_agency(self, message_id: str | None) -> SentToAgency | None:
        """The hub's message with this id if it went to an agency inbox, else None."""
        if not message_id:
            return None
        query = select(outbox).where(outbox.c.message_id == message_id)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None or row.exchange != names.AGENCY_EXCHANGE or not row.correlation_id:
            return None
        message = outbox_message(row)
        version = header_int(message.headers, HEADER_VERSION)
        if version is None:
            return None
        attempt = header_int(message.headers, HEADER_ATTEMPT)
        return SentToAgency(message, row.routing_key, row.correlation_id, version, attempt)
