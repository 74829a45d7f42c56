"""Per-recipient state of a submission version and the consolidated status folded from it.

Every change locks the version row, applies a join (``singlewindow.platform.aggregation``), refolds, and, when
the consolidated status changed, appends the event and the status message in the same transaction. A
terminal status is recorded once (primary key on the version) under a stable message id. The folding itself
lives in ``state.changes``, which also applies whole batches of decisions and transport events at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from singlewindow.platform.aggregation import Decision, RecipientState, TransportState
from singlewindow.platform.errors import Conflict, NotFound
from singlewindow.platform.state.changes import (
    Change,
    DecisionChange,
    NotAppliedNotice,
    Outcome,
    RecipientChanges,
    StatusChange,
    StatusMessageFactory,
    TransportChange,
    decision_ids,
    recipient_state,
    version_keys,
)
from singlewindow.platform.state.common import aware, lock_version
from singlewindow.platform.state.events import append_event
from singlewindow.platform.state.fees import FeeHooks, RoutedVersion
from singlewindow.platform.state.outbox import Enqueued, OutboxMessage, enqueue
from singlewindow.platform.storage.tables import events, recipients, submission_versions, submissions

__all__ = [
    "AfterRouting",
    "Change",
    "DecisionChange",
    "NotAppliedNotice",
    "Outcome",
    "RecipientStore",
    "RoutedRecipient",
    "Routing",
    "StatusChange",
    "StatusMessageFactory",
    "TransportChange",
    "refold",
]


@dataclass(frozen=True, slots=True)
class RoutedRecipient:
    recipient: str
    kind: str
    view: str
    matched_rules: Sequence[str]
    deadline: timedelta


@dataclass(frozen=True, slots=True)
class Routing:
    """One version's routing: its recipients, the delivery for each, notices to those it no longer goes to."""

    submission_id: str
    version: int
    recipients: Sequence[RoutedRecipient]
    deliveries: Callable[[RoutedRecipient], OutboxMessage]
    withdrawn: Sequence[OutboxMessage] = ()
    risk: Any = None  # the router's risk assessment (platform.risk), opaque here: ``AfterRouting`` writes it
    document_type: str = ""  # what pricing reads (state.fees); empty: nothing to price
    document: Mapping[str, Any] | None = None


AfterChanges = Callable[[AsyncConnection, RecipientChanges, Sequence[Change]], Awaitable[None]]
"""More writes in a batch of decisions' transaction, after its events (e.g. a joint inspection proposal):
given the batch's loaded state as it stands after the batch."""

AfterRouting = Callable[[AsyncConnection, Sequence[Routing]], Awaitable[None]]
"""More writes in a batch's routing transaction, after its events (e.g. risk assessments): given the
routings committed now (not those already routed, nor versions cancelled before routing)."""


async def _rows(conn: AsyncConnection, submission_id: str, version: int) -> list[Any]:
    query = select(recipients).where(recipients.c.submission_id == submission_id, recipients.c.version == version)
    return list(await conn.execute(query.order_by(recipients.c.recipient)))


async def refold(
    conn: AsyncConnection,
    submission_id: str,
    version: int,
    status_message: StatusMessageFactory,
    actor: str | None = None,
    fees: FeeHooks | None = None,
) -> tuple[StatusChange | None, list[Enqueued]]:
    """Recompute the consolidated status of a version inside the caller's transaction; announce it if it
    changed. Returns the change and the outbox rows to publish."""
    changes = RecipientChanges(conn, status_message, fees.session(conn) if fees is not None else None)
    await changes.load([(submission_id, version)])
    change = changes.refold(submission_id, version, actor)
    return change, await changes.flush()


class RecipientStore:
    """The router's and the aggregator's writes."""

    def __init__(self, engine: AsyncEngine, status_message: StatusMessageFactory, fees: FeeHooks | None = None) -> None:
        self._engine = engine
        self._status_message = status_message
        self._fees = fees

    def _changes(self, conn: AsyncConnection) -> RecipientChanges:
        return RecipientChanges(conn, self._status_message, self._fees.session(conn) if self._fees else None)

    async def commit_routing(
        self,
        submission_id: str,
        version: int,
        routed: Sequence[RoutedRecipient],
        deliveries: Callable[[RoutedRecipient], OutboxMessage],
        withdrawn: Sequence[OutboxMessage] = (),
    ) -> tuple[bool, list[Enqueued]]:
        """Commit the expected recipient set and one outbox message per recipient; False if already routed."""
        (committed,), rows = await self.commit_routings(
            [Routing(submission_id, version, routed, deliveries, withdrawn)]
        )
        if isinstance(committed, NotFound):
            raise committed
        return committed, rows

    async def commit_routings(
        self, batch: Sequence[Routing], after: AfterRouting | None = None
    ) -> tuple[list[bool | NotFound], list[Enqueued]]:
        """Commit several versions' recipient sets in one transaction: per routing, False if that version was
        already routed (nothing written), NotFound if it does not exist; and the outbox rows to publish.
        ``after`` runs last in the same transaction on the routings committed.

        A version cancelled before it was routed is sent to nobody: no agency ever sees it, none is told.
        """
        async with self._engine.begin() as conn:
            changes = self._changes(conn)
            await changes.load([(r.submission_id, r.version) for r in batch])
            now, inserted, outcomes, committed = changes.now, [], list[bool | NotFound](), list[Routing]()
            priced: list[RoutedVersion] = []
            folded: list[tuple[str, int]] = []
            for routing in batch:
                sid, version = routing.submission_id, routing.version
                try:
                    head = changes.version(sid, version)
                except NotFound as exc:
                    outcomes.append(exc)
                    continue
                if head.routed:
                    outcomes.append(False)
                    continue
                routed = () if head.cancelled else routing.recipients
                for message in routing.withdrawn:
                    changes.send(message)
                for entry in routed:
                    inserted.append(
                        {
                            "submission_id": sid,
                            "version": version,
                            "recipient": entry.recipient,
                            "kind": entry.kind,
                            "view": entry.view,
                            "matched_rules": list(entry.matched_rules),
                            "transport": TransportState.PENDING.value,
                            "attempt": 1,
                            "deadline_at": now + entry.deadline,
                            "updated_at": now,
                        }
                    )
                    changes.add_recipient(sid, version, RecipientState(entry.recipient), entry.kind)
                    changes.send(routing.deliveries(entry))
                changes.mark_routed(sid, version)
                changes.event(
                    sid,
                    version,
                    "ROUTED",
                    actor="router",
                    detail={
                        "recipients": {e.recipient: list(e.matched_rules) for e in routed},
                        **({"cancelled_before_routing": True} if head.cancelled else {}),
                    },
                )
                outcomes.append(True)
                if not head.cancelled:
                    committed.append(routing)
                if routing.document is not None and not head.cancelled:
                    priced.append(
                        RoutedVersion(
                            sid, version, routing.document_type, routing.document, [e.recipient for e in routed]
                        )
                    )
                folded.append((sid, version))
            if inserted:
                await conn.execute(insert(recipients), inserted)
            if priced and changes.fees is not None:
                for (sid, version), owing in (await changes.fees.routed(priced)).items():
                    changes.owe(sid, version, owing)
            for sid, version in folded:
                changes.refold(sid, version, "router")
            rows = await changes.flush()
            if after is not None and committed:
                await after(conn, committed)
            return outcomes, rows

    async def apply_changes(
        self, batch: Sequence[Change], after: AfterChanges | None = None
    ) -> tuple[list[Outcome], list[Enqueued]]:
        """Apply decisions and transport events in one transaction, in order (``state.changes``): one outcome
        per change, and the outbox rows to publish. ``after`` runs last in the same transaction."""
        async with self._engine.begin() as conn:
            changes = self._changes(conn)
            await changes.load(version_keys(batch), decision_ids(batch))
            outcomes = [changes.apply(change) for change in batch]
            rows = await changes.flush()
            if after is not None:
                await after(conn, changes, batch)
            return outcomes, rows

    async def _apply_one(self, change: Change) -> tuple[StatusChange | None, list[Enqueued]]:
        (outcome,), rows = await self.apply_changes([change])
        if isinstance(outcome, NotFound):
            raise outcome
        return outcome, rows

    async def apply_decision(
        self,
        submission_id: str,
        version: int,
        recipient: str,
        decision: Decision,
        document: Mapping[str, Any],
        actor: str,
        message_id: str,
        not_applied: NotAppliedNotice | None = None,
    ) -> tuple[StatusChange | None, list[Enqueued]]:
        """Apply an agency decision once per message id; after a terminal status it is kept and flagged.

        A decision on a cancelled or superseded version is kept in the history and never applied; the
        agency gets ``not_applied`` (a notice saying why), once, since this runs once per message id.
        """
        return await self._apply_one(
            DecisionChange(submission_id, version, recipient, decision, document, actor, message_id, not_applied)
        )

    async def apply_transport(
        self,
        submission_id: str,
        version: int,
        recipient: str,
        state: TransportState,
        attempt: int,
        actor: str,
        detail: Mapping[str, Any] | None = None,
    ) -> tuple[StatusChange | None, list[Enqueued]]:
        return await self._apply_one(TransportChange(submission_id, version, recipient, state, attempt, actor, detail))

    async def replay(
        self,
        submission_id: str,
        version: int,
        recipient: str,
        actor: str,
        delivery: Callable[[RoutedRecipient, int], OutboxMessage],
    ) -> tuple[StatusChange | None, list[Enqueued]]:
        """An operator's replay of a dead-lettered document: a new attempt, back to PENDING, re-sent."""
        async with self._engine.begin() as conn:
            changes = self._changes(conn)
            await changes.load([(submission_id, version)])
            replayed = changes.recipient(submission_id, version, recipient).replayed()
            row = await _recipient_row(conn, submission_id, version, recipient)
            changes.store(submission_id, version, replayed)
            changes.event(
                submission_id,
                version,
                "REPLAYED",
                actor=actor,
                recipient=recipient,
                status=replayed.transport.value,
                detail={"attempt": replayed.attempt},
            )
            entry = RoutedRecipient(row.recipient, row.kind, row.view, row.matched_rules, timedelta(0))
            changes.send(delivery(entry, replayed.attempt))
            change = changes.refold(submission_id, version, actor)
            return change, await changes.flush()

    async def record_query_response(
        self,
        submission_id: str,
        version: int,
        recipient: str,
        actor: str,
        response: Mapping[str, Any],
        message: OutboxMessage,
    ) -> list[Enqueued]:
        """The trader's answer to an agency's query: kept in the history and sent to that agency.

        One answer per query: the same answer again changes nothing (``[]``, no message), another answer to
        an answered query is a Conflict. Checked under the version lock, so two racing answers cannot both
        pass (the outbox's unique message id would otherwise fail the second as a 500).
        """
        async with self._engine.begin() as conn:
            await lock_version(conn, submission_id, version)
            await _recipient_row(conn, submission_id, version, recipient)
            for earlier in await _answers(conn, submission_id, version, recipient):
                if earlier.get("querySequence") != response.get("querySequence"):
                    continue
                if earlier.get("answer") == response.get("answer"):
                    return []
                raise Conflict(
                    f"query {response.get('querySequence')} of {recipient} on version {version} of "
                    f"{submission_id} was already answered with another answer"
                )
            await append_event(
                conn,
                submission_id,
                version,
                "QUERY_ANSWERED",
                actor=actor,
                recipient=recipient,
                detail={"response": dict(response)},
            )
            return [await enqueue(conn, message)]

    async def query_answers(self, submission_id: str, version: int, recipient: str) -> list[Mapping[str, Any]]:
        """The answers (query-response documents) given to ``recipient``'s queries on this version, oldest first."""
        async with self._engine.connect() as conn:
            return await _answers(conn, submission_id, version, recipient)

    async def mark_overdue(self, now: datetime, limit: int = 100) -> tuple[list[StatusChange], list[Enqueued]]:
        """Recipients past their deadline without a decision become OVERDUE. Their submissions are claimed with
        SKIP LOCKED (the same lock order as every other write), so hub processes share the work."""
        query = (
            select(recipients)
            .join(
                submission_versions,
                (submission_versions.c.submission_id == recipients.c.submission_id)
                & (submission_versions.c.version == recipients.c.version),
            )
            .join(submissions, submissions.c.id == recipients.c.submission_id)
            .where(recipients.c.deadline_at <= now)
            .where(recipients.c.decision_status.is_(None))
            .where(recipients.c.transport.in_([TransportState.PENDING.value, TransportState.DELIVERED.value]))
            .limit(limit)
        )
        async with self._engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(of=submissions, key_share=True, skip_locked=True)
            due = [
                TransportChange(
                    row.submission_id,
                    row.version,
                    row.recipient,
                    TransportState.OVERDUE,
                    row.attempt,
                    "deadline",
                    {"deadline_at": aware(row.deadline_at).isoformat()},
                )
                for row in await conn.execute(query)
            ]
            if not due:
                return [], []
            changes = self._changes(conn)
            await changes.load(version_keys(due))
            outcomes = [changes.apply(change) for change in due]
            rows = await changes.flush()
        return [o for o in outcomes if isinstance(o, StatusChange)], rows

    async def routed_views(self, submission_id: str, version: int) -> dict[str, str] | None:
        """Recipient (agency or partner) -> view of a routed version (whom the hub sent it to); None if not
        routed (yet). An amendment tells each of them what replaced it, or that it is withdrawn."""
        async with self._engine.connect() as conn:
            head = (
                await conn.execute(
                    select(submission_versions.c.routed).where(
                        submission_versions.c.submission_id == submission_id, submission_versions.c.version == version
                    )
                )
            ).first()
            if head is None or not head.routed:
                return None
            rows = await _rows(conn, submission_id, version)
        return {row.recipient: row.view for row in rows if row.kind in ("AGENCY", "PARTNER")}

    async def states(self, submission_id: str, version: int) -> list[tuple[RecipientState, Mapping[str, Any]]]:
        query = select(recipients).where(recipients.c.submission_id == submission_id, recipients.c.version == version)
        async with self._engine.connect() as conn:
            rows = list(await conn.execute(query.order_by(recipients.c.recipient)))
        return [
            (
                recipient_state(r),
                {
                    "view": r.view,
                    "matched_rules": r.matched_rules,
                    "deadline_at": aware(r.deadline_at),
                    "decision": r.decision,
                    "kind": r.kind,
                },
            )
            for r in rows
        ]


async def _answers(conn: AsyncConnection, submission_id: str, version: int, recipient: str) -> list[Mapping[str, Any]]:
    query = (
        select(events.c.detail)
        .where(
            events.c.submission_id == submission_id,
            events.c.version == version,
            events.c.recipient == recipient,
            events.c.kind == "QUERY_ANSWERED",
        )
        .order_by(events.c.sequence)
    )
    return [dict((detail or {}).get("response", {})) for (detail,) in await conn.execute(query)]


async def _recipient_row(conn: AsyncConnection, submission_id: str, version: int, recipient: str) -> Any:
    query = select(recipients).where(
        recipients.c.submission_id == submission_id,
        recipients.c.version == version,
        recipients.c.recipient == recipient,
    )
    row = (await conn.execute(query)).first()
    if row is None:
        raise NotFound(f"{recipient} is not a recipient of version {version} of {submission_id}")
    return row
