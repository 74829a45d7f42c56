"""Per-recipient state of a submission version and the consolidated status folded from it.

Every change locks the version row, applies a join (``singlewindow.platform.aggregation``), refolds, and, when
the consolidated status changed, appends the event and the status message in the same transaction. A
terminal status is recorded once (primary key on the version) under a stable message id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from singlewindow.platform.aggregation import (
    TERMINAL,
    Consolidated,
    Decision,
    DecisionStatus,
    RecipientState,
    TransportState,
    consolidate,
)
from singlewindow.platform.aggregation.fold import collected_conditions
from singlewindow.platform.errors import Conflict, NotFound
from singlewindow.platform.state.common import aware, lock_version, utcnow
from singlewindow.platform.state.events import append_event
from singlewindow.platform.state.outbox import OutboxMessage, enqueue
from singlewindow.platform.storage.tables import (
    events,
    processed_messages,
    recipients,
    submission_versions,
    submissions,
    terminal_statuses,
)

# (reason, superseded_by) -> the decision-not-applied notice to the deciding agency (built by the aggregator).
NotAppliedNotice = Callable[[str, int | None], OutboxMessage]


@dataclass(frozen=True, slots=True)
class RoutedRecipient:
    recipient: str
    kind: str
    view: str
    matched_rules: Sequence[str]
    deadline: timedelta


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A new consolidated status of one submission version, as announced on ``nsw.status``."""

    submission_id: str
    version: int
    status: Consolidated
    status_sequence: int
    terminal: bool
    recipients: tuple[RecipientState, ...]
    conditions: tuple[tuple[str, str, str], ...]  # (recipient, code, text)
    changed_at: datetime
    message_id: str
    ucr: str
    recipient_details: Mapping[str, tuple[str, datetime]] = field(default_factory=dict)  # kind, updated_at


StatusMessageFactory = Callable[[StatusChange], OutboxMessage]


def _state(row: Any) -> RecipientState:
    decision = None
    if row.decision_status is not None:
        body = row.decision or {}
        decision = Decision(
            DecisionStatus(row.decision_status),
            row.decision_sequence,
            body.get("channel"),
            tuple((code, text) for code, text in body.get("conditions", ())),
        )
    return RecipientState(row.recipient, TransportState(row.transport), row.attempt, decision)


async def _rows(conn: AsyncConnection, submission_id: str, version: int) -> list[Any]:
    query = select(recipients).where(recipients.c.submission_id == submission_id, recipients.c.version == version)
    return list(await conn.execute(query.order_by(recipients.c.recipient)))


async def refold(
    conn: AsyncConnection,
    submission_id: str,
    version: int,
    status_message: StatusMessageFactory,
    actor: str | None = None,
) -> tuple[StatusChange | None, list[int]]:
    """Recompute the consolidated status of a locked version; announce it if it changed."""
    head = await lock_version(conn, submission_id, version)
    rows = await _rows(conn, submission_id, version)
    states = [_state(row) for row in rows]
    status = consolidate(states, cancelled=head.cancelled, routed=head.routed)
    if status.value == head.status or Consolidated(head.status) in TERMINAL:
        return None, []
    sequence, now = head.status_sequence + 1, utcnow()
    terminal = status in TERMINAL
    message_id = f"{submission_id}.v{version}.{'terminal' if terminal else f'status.{sequence}'}"
    await conn.execute(
        update(submission_versions)
        .where(submission_versions.c.submission_id == submission_id, submission_versions.c.version == version)
        .values(status=status.value, status_sequence=sequence, updated_at=now)
    )
    if terminal:
        await conn.execute(
            insert(terminal_statuses).values(
                submission_id=submission_id,
                version=version,
                status=status.value,
                message_id=message_id,
                recorded_at=now,
            )
        )
    await append_event(
        conn,
        submission_id,
        version,
        "STATUS_CHANGED",
        actor=actor,
        status=status.value,
        detail={"status_sequence": sequence, "terminal": terminal},
    )
    change = StatusChange(
        submission_id,
        version,
        status,
        sequence,
        terminal,
        tuple(states),
        collected_conditions(states),
        now,
        message_id,
        head.document["ucr"],
        {row.recipient: (row.kind, aware(row.updated_at)) for row in rows},
    )
    return change, [await enqueue(conn, status_message(change))]


class RecipientStore:
    """The router's and the aggregator's writes."""

    def __init__(self, engine: AsyncEngine, status_message: StatusMessageFactory) -> None:
        self._engine = engine
        self._status_message = status_message

    async def commit_routing(
        self,
        submission_id: str,
        version: int,
        routed: Sequence[RoutedRecipient],
        deliveries: Callable[[RoutedRecipient], OutboxMessage],
        withdrawn: Sequence[OutboxMessage] = (),
    ) -> tuple[bool, list[int]]:
        """Commit the expected recipient set and one outbox message per recipient; False if already routed.

        ``withdrawn`` are the notices to agencies of the previous version that this one no longer routes to.
        A version cancelled before it was routed is sent to nobody: no agency ever sees it, none is told.
        """
        async with self._engine.begin() as conn:
            head = await lock_version(conn, submission_id, version)
            if head.routed:
                return False, []
            if head.cancelled:
                routed = ()
            now, row_ids = utcnow(), []
            for message in withdrawn:
                row_ids.append(await enqueue(conn, message))
            for entry in routed:
                await conn.execute(
                    insert(recipients).values(
                        submission_id=submission_id,
                        version=version,
                        recipient=entry.recipient,
                        kind=entry.kind,
                        view=entry.view,
                        matched_rules=list(entry.matched_rules),
                        transport=TransportState.PENDING.value,
                        attempt=1,
                        deadline_at=now + entry.deadline,
                        updated_at=now,
                    )
                )
                row_ids.append(await enqueue(conn, deliveries(entry)))
            await conn.execute(
                update(submission_versions)
                .where(submission_versions.c.submission_id == submission_id, submission_versions.c.version == version)
                .values(routed=True, updated_at=now)
            )
            await append_event(
                conn,
                submission_id,
                version,
                "ROUTED",
                actor="router",
                detail={
                    "recipients": {e.recipient: list(e.matched_rules) for e in routed},
                    **({"cancelled_before_routing": True} if head.cancelled else {}),
                },
            )
            _, status_rows = await refold(conn, submission_id, version, self._status_message, actor="router")
        return True, row_ids + status_rows

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
    ) -> tuple[StatusChange | None, list[int]]:
        """Apply an agency decision once per message id; after a terminal status it is kept and flagged.

        A decision on a cancelled or superseded version is kept in the history and never applied; the
        agency gets ``not_applied`` (a notice saying why), once, since this runs once per message id.
        """
        async with self._engine.begin() as conn:
            head = await lock_version(conn, submission_id, version)  # first: it serialises the dedup check
            if not await _first_time(conn, "aggregator", message_id):
                return None, []
            row = await _recipient_row(conn, submission_id, version, recipient)
            late = Consolidated(head.status) in TERMINAL
            current = (
                await conn.execute(select(submissions.c.current_version).where(submissions.c.id == submission_id))
            ).scalar_one()
            why = None
            if head.cancelled:
                why = f"decision {decision.sequence} on version {version} not applied: the submission was cancelled"
            elif current > version:
                why = (
                    f"decision {decision.sequence} on version {version} not applied: "
                    f"version {version} was superseded by version {current}"
                )
            await append_event(
                conn,
                submission_id,
                version,
                "DECISION",
                actor=actor,
                recipient=recipient,
                status=decision.status.value,
                detail={
                    "decision": dict(document),
                    "late_after_terminal": late,
                    "message_id": message_id,
                    **({"not_applied": why} if why else {}),
                },
            )
            if why is not None:
                superseded_by = current if current > version else None
                return None, [await enqueue(conn, not_applied(why, superseded_by))] if not_applied else []
            joined = _state(row).with_decision(decision)
            if late or joined == _state(row):
                return None, []
            await _store(conn, submission_id, version, joined, decision_document=document)
            return await refold(conn, submission_id, version, self._status_message, actor=actor)

    async def apply_transport(
        self,
        submission_id: str,
        version: int,
        recipient: str,
        state: TransportState,
        attempt: int,
        actor: str,
        detail: Mapping[str, Any] | None = None,
    ) -> tuple[StatusChange | None, list[int]]:
        async with self._engine.begin() as conn:
            await lock_version(conn, submission_id, version)
            row = await _recipient_row(conn, submission_id, version, recipient)
            joined = _state(row).with_transport(state, attempt)
            if joined == _state(row):
                return None, []
            await append_event(
                conn,
                submission_id,
                version,
                "TRANSPORT",
                actor=actor,
                recipient=recipient,
                status=state.value,
                detail={"attempt": attempt, **(detail or {})},
            )
            await _store(conn, submission_id, version, joined)
            return await refold(conn, submission_id, version, self._status_message, actor=actor)

    async def replay(
        self,
        submission_id: str,
        version: int,
        recipient: str,
        actor: str,
        delivery: Callable[[RoutedRecipient, int], OutboxMessage],
    ) -> tuple[StatusChange | None, list[int]]:
        """An operator's replay of a dead-lettered document: a new attempt, back to PENDING, re-sent."""
        async with self._engine.begin() as conn:
            await lock_version(conn, submission_id, version)
            row = await _recipient_row(conn, submission_id, version, recipient)
            replayed = _state(row).replayed()
            await _store(conn, submission_id, version, replayed)
            await append_event(
                conn,
                submission_id,
                version,
                "REPLAYED",
                actor=actor,
                recipient=recipient,
                status=replayed.transport.value,
                detail={"attempt": replayed.attempt},
            )
            entry = RoutedRecipient(row.recipient, row.kind, row.view, row.matched_rules, timedelta(0))
            row_id = await enqueue(conn, delivery(entry, replayed.attempt))
            change, status_rows = await refold(conn, submission_id, version, self._status_message, actor=actor)
        return change, [row_id, *status_rows]

    async def record_query_response(
        self,
        submission_id: str,
        version: int,
        recipient: str,
        actor: str,
        response: Mapping[str, Any],
        message: OutboxMessage,
    ) -> list[int]:
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

    async def mark_overdue(self, now: datetime, limit: int = 100) -> tuple[list[StatusChange], list[int]]:
        """Recipients past their deadline without a decision become OVERDUE. The version rows are claimed with
        SKIP LOCKED (the same lock order as every other write), so hub processes share the work."""
        query = (
            select(recipients)
            .join(
                submission_versions,
                (submission_versions.c.submission_id == recipients.c.submission_id)
                & (submission_versions.c.version == recipients.c.version),
            )
            .where(recipients.c.deadline_at <= now)
            .where(recipients.c.decision_status.is_(None))
            .where(recipients.c.transport.in_([TransportState.PENDING.value, TransportState.DELIVERED.value]))
            .limit(limit)
        )
        changes: list[StatusChange] = []
        row_ids: list[int] = []
        async with self._engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(of=submission_versions, skip_locked=True)
            for row in list(await conn.execute(query)):
                overdue = _state(row).with_transport(TransportState.OVERDUE, row.attempt)
                await _store(conn, row.submission_id, row.version, overdue)
                await append_event(
                    conn,
                    row.submission_id,
                    row.version,
                    "TRANSPORT",
                    actor="deadline",
                    recipient=row.recipient,
                    status=TransportState.OVERDUE.value,
                    detail={"attempt": row.attempt, "deadline_at": aware(row.deadline_at).isoformat()},
                )
                change, ids = await refold(conn, row.submission_id, row.version, self._status_message, "deadline")
                changes += [change] if change else []
                row_ids += ids
        return changes, row_ids

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
                _state(r),
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


async def _first_time(conn: AsyncConnection, consumer: str, message_id: str) -> bool:
    query = select(processed_messages.c.message_id).where(
        and_(processed_messages.c.consumer == consumer, processed_messages.c.message_id == message_id)
    )
    if (await conn.execute(query)).first() is not None:
        return False
    await conn.execute(
        insert(processed_messages).values(consumer=consumer, message_id=message_id, processed_at=utcnow())
    )
    return True


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


async def _store(
    conn: AsyncConnection,
    submission_id: str,
    version: int,
    state: RecipientState,
    decision_document: Mapping[str, Any] | None = None,
) -> None:
    values: dict[str, Any] = {"transport": state.transport.value, "attempt": state.attempt, "updated_at": utcnow()}
    if decision_document is not None and state.decision is not None:
        decision = state.decision
        values |= {
            "decision_status": decision.status.value,
            "decision_sequence": decision.sequence,
            "decision": {
                "channel": decision.channel,
                "conditions": list(decision.conditions),
                "document": dict(decision_document),
            },
        }
    await conn.execute(
        update(recipients)
        .where(
            recipients.c.submission_id == submission_id,
            recipients.c.version == version,
            recipients.c.recipient == state.recipient,
        )
        .values(**values)
    )
