"""The border guard adapter: the border guard has no system of its own, so its "agency system" is the hub's
officer queue.

``deliver`` queues the border guard's view through the hub's API (idempotent per hand-over) and returns the
queue ticket: the SDK reports DELIVERED and acks. Officers pull documents from the queue and decide over
the hub's API; a poller started in ``start`` collects their decisions and publishes each through
``context.decide`` (so under the border guard's own broker user), then marks it published in the queue.

The hub's lifecycle notices go to the queue too: ``cancelled`` withdraws the version's items (an unclaimed
one leaves the queue; a claimed one is flagged to its officer, whose decision on it is refused),
``replaced`` queues the new version naming the one it replaces and what changed (the queue withdraws the
old item the same way), ``answered`` puts the item back in front of the officers with the trader's answer.

Built as an ordinary adapter rather than a hub built-in so the border guard gets what every agency gets
from the SDK: retry tiers and the circuit breaker when the queue is unreachable, DELIVERED reporting, and
decisions under its own broker user that the hub verifies like any other agency's.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from typing import Any

from singlewindow.adapters import (
    Adapter,
    AdapterContext,
    AgencyUnavailable,
    Cancellation,
    DocumentRefused,
    Handover,
    InboundDocument,
    QueryResponse,
    Replacement,
)
from singlewindow.adapters.border_guard.config import BorderGuardConfig
from singlewindow.adapters.border_guard.decisions import draft_of
from singlewindow.platform.api.agency_client import AgencyHubClient, Conflict, InvalidInput, TransientError


class BorderGuardAdapter(Adapter[BorderGuardConfig]):
    """Border guard: documents wait in the hub's officer queue; officers pull and decide."""

    agency = "border-guard"
    config_model = BorderGuardConfig

    _hub: AgencyHubClient | None = None
    _poller: asyncio.Task[None] | None = None
    _stopping: asyncio.Event | None = None

    async def setup(self, context: AdapterContext[BorderGuardConfig]) -> None:
        config = context.config
        token = config.hub_token.get_secret_value()
        self._hub = AgencyHubClient(config.hub_url, token, timeout=config.request_timeout_seconds)

    async def start(self) -> None:
        self._stopping = asyncio.Event()
        self._poller = asyncio.create_task(self._collect_decisions(self._stopping), name="officer-decisions")

    async def stop(self) -> None:
        if self._stopping is not None:
            self._stopping.set()
        if self._poller is not None:
            await asyncio.gather(self._poller, return_exceptions=True)
        if self._hub is not None:
            await self._hub.__aexit__(None, None, None)

    async def deliver(self, document: InboundDocument) -> Handover:
        assert self._hub is not None
        queued = await _queue_call(self._hub.enqueue_for_officers(document.body, document.attempt))
        return Handover(reference=f"officer-queue:{queued['ticket']}")

    async def replaced(self, document: InboundDocument, replacement: Replacement) -> Handover:
        assert self._hub is not None
        queued = await _queue_call(
            self._hub.enqueue_replacement(
                document.body, document.attempt, replacement.previous_version, replacement.changes
            )
        )
        return Handover(reference=f"officer-queue:{queued['ticket']}")

    async def cancelled(self, notice: Cancellation) -> None:
        assert self._hub is not None
        withdrawn = await _queue_call(
            self._hub.withdraw_from_officers(
                notice.submission_id, notice.version, notice.kind, notice.reason, notice.superseded_by
            )
        )
        self.context.log.info(
            "withdrawn from the officer queue", submission_id=notice.submission_id, version=notice.version,
            kind=notice.kind, tickets=[item["ticket"] for item in withdrawn],
        )  # fmt: skip

    async def answered(self, response: QueryResponse) -> None:
        assert self._hub is not None
        try:
            queued = await _queue_call(
                self._hub.answer_for_officers(
                    response.submission_id, response.version, response.query_id, response.query_sequence,
                    response.answer,
                )
            )  # fmt: skip
        except Conflict as exc:  # the version was withdrawn meanwhile: nobody decides on it any more
            self.context.log.info("answer to a withdrawn version not passed on", reason=str(exc))
            return
        self.context.log.info("answer back in front of the officers", ticket=queued["ticket"])

    async def health(self) -> bool:
        assert self._hub is not None
        try:
            await self._hub.unpublished_decisions(limit=1)
        except TransientError:
            return False
        return True

    async def publish_decisions(self) -> int:
        """Publish every officer decision not yet published; returns how many."""
        assert self._hub is not None
        published = 0
        for recorded in await self._hub.unpublished_decisions():
            await self.context.decide(recorded["submissionId"], int(recorded["version"]), draft_of(recorded))
            await self._hub.mark_published(int(recorded["id"]))
            published += 1
        return published

    async def _collect_decisions(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                await self.publish_decisions()
            except Exception as exc:  # the hub or the broker is away: try again next round
                self.context.log.warning("collecting officer decisions failed", error=str(exc))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=self.context.config.poll_seconds)


class OfficerQueueError(Exception):
    """The officer queue answered something that is not its API's answer: retried, then dead-lettered."""


async def _queue_call(call: Awaitable[Any]) -> Any:
    """The officer queue's failures the SDK's way: unreachable is AgencyUnavailable, refused is DocumentRefused,
    an answer that is not the queue's (a proxy's error page) is an ``OfficerQueueError`` naming it."""
    try:
        answer = await call
        if not isinstance(answer, dict | list):
            raise OfficerQueueError(f"the officer queue answered what is not JSON: {str(answer)[:200]!r}")
        return answer
    except (TypeError, KeyError) as exc:  # JSON, but not the shape the queue answers with
        raise OfficerQueueError(f"the officer queue gave an unexpected answer: {type(exc).__name__}: {exc}") from exc
    except TransientError as exc:
        raise AgencyUnavailable(f"officer queue unreachable: {exc}") from exc
    except InvalidInput as exc:
        raise DocumentRefused(f"the officer queue refused the document: {exc}") from exc
