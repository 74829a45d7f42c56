"""Publishing to the hub for one adapter: delivery reports and decisions, with confirm, as the agency.

A decision is stored before it is published; ``republish`` sends what the broker has not confirmed yet
(after a broker outage or a crash), with the same ``message_id``, so the hub still applies it once. The
runtime sweeps on start and then every ``republish_seconds``, so a decision whose publish failed does not
wait for the next restart.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any

from singlewindow.adapters.sdk.mapping import delivery_report
from singlewindow.adapters.sdk.store import AdapterStore, HandoverRecord, StoredDecision
from singlewindow.platform.hub.codec import DocumentCodec
from singlewindow.platform.hub.messages import AGENCY_DECISION, DELIVERY_REPORT
from singlewindow.platform.state.common import utcnow
from singlewindow.platform.topology import names
from singlewindow.platform.transport import OutgoingMessage, Transport


class HubPublisher:
    def __init__(self, transport: Transport, codec: DocumentCodec, store: AdapterStore, broker_user: str, log: Any):
        self._transport = transport
        self._codec = codec
        self._store = store
        self._broker_user = broker_user
        self._log = log

    async def report(self, record: HandoverRecord) -> None:
        message_id, document = delivery_report(record)
        await self._publish(DELIVERY_REPORT, message_id, document)

    async def decision(self, stored: StoredDecision) -> None:
        await self._publish(AGENCY_DECISION, stored.message_id, stored.document)
        await self._store.mark_published(stored.message_id)
        self._log.info(
            "decision published",
            submission_id=stored.document["submissionId"],
            sequence=stored.sequence,
            status=stored.document["status"],
        )

    async def republish(
        self, *, submission_id: str | None = None, version: int | None = None, grace: float | None = None
    ) -> int:
        """Publish stored decisions the broker has not confirmed; returns how many.

        ``grace`` (seconds) leaves younger decisions to the ``decide`` call that is publishing them now.
        """
        before = utcnow() - timedelta(seconds=grace) if grace is not None else None
        waiting = await self._store.unpublished(submission_id, version, created_before=before)
        for stored in waiting:
            await self.decision(stored)
        return len(waiting)

    async def sweep_forever(self, stop: asyncio.Event, interval: float) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
            if stop.is_set():
                return
            try:
                if count := await self.republish(grace=interval):
                    self._log.warning("unconfirmed decisions re-published", count=count)
            except Exception as exc:  # the broker may still be down: try again next round
                self._log.warning("re-publishing decisions failed", error=str(exc))

    async def _publish(self, message_type: str, message_id: str, document: dict[str, Any]) -> None:
        await self._transport.publish(
            OutgoingMessage(
                exchange=names.DECISIONS_EXCHANGE,
                routing_key=names.DECISION_KEY,
                body=self._codec.encode(message_type, document),
                message_id=message_id,
                correlation_id=str(document["submissionId"]),
                type=message_type,
                content_type=self._codec.content_type,
                user_id=self._broker_user,
                timestamp=utcnow(),
            )
        )
