"""Auto-deciding agency stand-ins: consume an agency's inbox, report delivery, publish a decision.

They speak exactly the adapter protocol (view in, delivery report and agency decision out, under the
agency's own broker user), so they are also the smallest worked example of an adapter runtime.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from singlewindow.platform.hub.codec import DocumentCodec
from singlewindow.platform.hub.messages import (
    AGENCY_DECISION,
    CANCELLATION_NOTICE,
    DELIVERY_REPORT,
    HEADER_ATTEMPT,
    HEADER_VERSION,
    QUERY_RESPONSE,
    header_int,
)
from singlewindow.platform.state.common import rfc3339_millis, utcnow
from singlewindow.platform.topology import names
from singlewindow.platform.transport import Delivery, OutgoingMessage, Subscription, Transport

# A policy gets the agency id and the view document and answers (status, extra decision fields).
DecisionPolicy = Callable[[str, Mapping[str, Any]], tuple[str, dict[str, Any]]]

# A revision policy gets the agency, the view and the first decision's status and answers None, or
# (seconds to wait, status, extra fields): a later decision with a higher sequence (inspection done -> ACCEPTED).
RevisionPolicy = Callable[[str, Mapping[str, Any], str], tuple[float, str, dict[str, Any]] | None]


def accept_all(agency: str, view: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    return "ACCEPTED", ({"channel": "GREEN"} if agency == "customs" else {})


@dataclass
class AutoDecider:
    agency: str
    broker_user: str
    transport: Transport
    codec: DocumentCodec
    policy: DecisionPolicy = accept_all
    revise: RevisionPolicy | None = None
    seen: list[Mapping[str, Any]] = field(default_factory=list)
    notices: list[Mapping[str, Any]] = field(default_factory=list)  # cancellation notices received
    # Keep what arrives in ``seen`` and ``notices`` (tests read them); a long-running stand-in (the benches')
    # turns it off so its memory does not grow with the number of documents.
    remember: bool = True
    _sequence: dict[str, int] = field(default_factory=dict)
    _subscription: Subscription | None = None
    _revisions: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> None:
        self._subscription = await self.transport.consume(
            names.inbox_queue(self.agency), self._on_document, prefetch=10
        )

    async def stop(self) -> None:
        if self._subscription is not None:
            await self._subscription.cancel()
        for task in list(self._revisions):
            task.cancel()
        await asyncio.gather(*self._revisions, return_exceptions=True)

    @property
    def revisions_pending(self) -> int:
        """Later decisions scheduled but not yet published."""
        return len(self._revisions)

    async def _on_document(self, delivery: Delivery) -> None:
        if delivery.type == CANCELLATION_NOTICE:
            # The version is over (cancelled, superseded, a late decision not applied): nothing to decide,
            # and deciding would only earn another notice.
            notice = await self.codec.decode(CANCELLATION_NOTICE, delivery.body)
            if self.remember:
                self.notices.append(notice)
            await delivery.ack()
            return
        if delivery.type == QUERY_RESPONSE:
            answer = await self.codec.decode(QUERY_RESPONSE, delivery.body)
            await self._decide(answer["submissionId"], answer["submissionVersion"], answer["ucr"], "ACCEPTED", {})
            await delivery.ack()
            return
        view = await self.codec.decode(delivery.type or "", delivery.body)
        if "submissionId" not in view:  # a document sent whole (documentViews "document"): the message names it
            view = {
                **view,
                "submissionId": delivery.correlation_id,
                "submissionVersion": header_int(delivery.headers, HEADER_VERSION),
            }
        if self.remember:
            self.seen.append(view)
        attempt = header_int(delivery.headers, HEADER_ATTEMPT) or 1
        await self._publish(
            DELIVERY_REPORT,
            {
                "documentId": f"dr-{view['submissionId']}-v{view['submissionVersion']}-{self.agency}-a{attempt}",
                "ucr": view["ucr"],
                "issuedAt": rfc3339_millis(utcnow()),
                "references": [{"type": "SUBMISSION", "id": view["submissionId"]}],
                "submissionId": view["submissionId"],
                "submissionVersion": view["submissionVersion"],
                "recipient": self.agency,
                "attempt": attempt,
                "deliveredAt": rfc3339_millis(utcnow()),
            },
        )
        status, extra = self.policy(self.agency, view)
        await self._decide(view["submissionId"], view["submissionVersion"], view["ucr"], status, extra)
        revision = self.revise(self.agency, view, status) if self.revise is not None else None
        if revision is not None:
            task = asyncio.create_task(self._decide_later(view, *revision))
            self._revisions.add(task)
            task.add_done_callback(self._revisions.discard)
        await delivery.ack()

    async def _decide_later(self, view: Mapping[str, Any], delay: float, status: str, extra: dict[str, Any]) -> None:
        await asyncio.sleep(delay)
        await self._decide(view["submissionId"], view["submissionVersion"], view["ucr"], status, extra)

    async def _decide(self, submission_id: str, version: int, ucr: str, status: str, extra: dict[str, Any]) -> None:
        key = f"{submission_id}.v{version}"
        self._sequence[key] = sequence = self._sequence.get(key, 0) + 1
        now = rfc3339_millis(utcnow())
        decision = {
            "documentId": f"dec-{self.agency}-{secrets.token_hex(6)}",
            "ucr": ucr,
            "issuedAt": now,
            "references": [{"type": "SUBMISSION", "id": submission_id}],
            "submissionId": submission_id,
            "submissionVersion": version,
            "agency": self.agency,
            "decisionSequence": sequence,
            "status": status,
            "conditions": [],
            "reasons": [],
            "officer": {"id": f"{self.agency}-auto", "name": "Automatic decision"},
            "decidedAt": now,
            **extra,
        }
        await self._publish(AGENCY_DECISION, decision)

    async def _publish(self, message_type: str, document: Mapping[str, Any]) -> None:
        await self.transport.publish(
            OutgoingMessage(
                exchange=names.DECISIONS_EXCHANGE,
                routing_key=names.DECISION_KEY,
                body=self.codec.encode(message_type, document),
                message_id=str(document["documentId"]),
                correlation_id=str(document["submissionId"]),
                type=message_type,
                content_type=self.codec.content_type,
                user_id=self.broker_user,
                timestamp=utcnow(),
            )
        )
