"""``Watch``: a stream of status changes a reconnecting client resumes without missing any.

The event table is the source of truth and the resume token is an event sequence number. Messages on
``nsw.status`` (through one server-named queue per hub process) only wake the streams up early; a stream
also re-reads every ``poll_seconds``, so a lost wake-up delays an update but never loses it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import structlog

from singlewindow.platform.hub.access import Access
from singlewindow.platform.identity import GrantScope, Principal
from singlewindow.platform.inputs import INT64_MAX, parse_count
from singlewindow.platform.state import EventLog, HubEvent
from singlewindow.platform.topology import names
from singlewindow.platform.transport import Delivery, Subscription, Transport

log = structlog.get_logger(__name__)

WATCHED_KINDS = ("SUBMITTED", "AMENDED", "ROUTED", "STATUS_CHANGED", "DECISION", "TRANSPORT", "QUERY_ANSWERED")


@dataclass(frozen=True, slots=True)
class WatchItem:
    resume_token: str
    event: HubEvent


class StatusNotifier:
    """One private queue per process on the status exchange; every status message wakes the streams."""

    def __init__(self) -> None:
        self._changed = asyncio.Condition()
        self._subscription: Subscription | None = None

    async def start(self, transport: Transport) -> None:
        self._subscription = await transport.consume_private(
            names.STATUS_EXCHANGE, names.STATUS_BINDING, self._on_status, prefetch=100
        )

    async def stop(self) -> None:
        if self._subscription is not None:
            await self._subscription.cancel()

    async def _on_status(self, delivery: Delivery) -> None:
        await delivery.ack()
        async with self._changed:
            self._changed.notify_all()

    async def wait(self, seconds: float) -> None:
        """Until the next status message, or ``seconds`` at most."""
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), seconds)


class WatchService:
    def __init__(self, events: EventLog, access: Access, notifier: StatusNotifier, poll_seconds: float = 2.0) -> None:
        self._events = events
        self._access = access
        self._notifier = notifier
        self._poll_seconds = poll_seconds

    async def stream(
        self, principal: Principal, resume_token: str | None = None, submission_id: str | None = None
    ) -> AsyncIterator[WatchItem]:
        """Everything after ``resume_token`` (the start of time when None), then live changes, forever."""
        declarants = await self._access.declarants(principal, GrantScope.READ)
        position = parse_resume_token(resume_token)
        while True:
            batch = await self._events.after(
                position, declarant_ids=declarants, submission_id=submission_id, kinds=WATCHED_KINDS
            )
            for event in batch:
                position = event.sequence
                yield WatchItem(str(event.sequence), event)
            if not batch:
                await self._notifier.wait(self._poll_seconds)


def parse_resume_token(token: str | None) -> int:
    """A token this API returned: an event sequence number in ASCII digits within int64, 0 when absent."""
    return parse_count(token, "/resumeToken", maximum=INT64_MAX) or 0
