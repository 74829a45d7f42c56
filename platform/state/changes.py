"""Recipient changes applied as a set: a batch of decisions and transport events in one transaction.

``RecipientChanges`` loads every version a batch touches with one locking statement (sorted, so two hub
processes lock in the same order), its recipients with one more, and replays the changes *in memory in
their arrival order* with exactly the rules a one-at-a-time application follows: the same joins, the same
consolidated statuses and events in the same order, the same notices. ``flush`` then writes what changed
with set-based statements (multi-row INSERT, ``executemany`` UPDATE): about ten round trips for the whole
batch instead of about a dozen for every message. Events are chained in memory (``state.chain``) from the
heads the locking statement read; one more ``executemany`` moves the heads.

A change that names a version or a recipient that does not exist gets a ``NotFound`` outcome and writes
nothing; the others are applied. The caller parks the refused message and acknowledges the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

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
from singlewindow.platform.errors import NotFound
from singlewindow.platform.state.chain import ChainHead, extend
from singlewindow.platform.state.common import aware, utcnow
from singlewindow.platform.state.events import MOVE_HEADS, append_chained, event_row, head_values
from singlewindow.platform.state.fees import FeeSession
from singlewindow.platform.state.outbox import Enqueued, OutboxMessage, enqueue_many
from singlewindow.platform.storage.tables import (
    processed_messages,
    recipients,
    submission_versions,
    submissions,
    terminal_statuses,
)

VersionKey = tuple[str, int]
RecipientKey = tuple[str, int, str]

# (reason, superseded_by) -> the decision-not-applied notice to the deciding agency (built by the aggregator).
NotAppliedNotice = Callable[[str, int | None], OutboxMessage]


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


@dataclass(frozen=True, slots=True)
class TransportChange:
    """A delivery report, a dead letter, a broker refusal or a deadline: the recipient's transport state."""

    submission_id: str
    version: int
    recipient: str
    state: TransportState
    attempt: int
    actor: str
    detail: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class DecisionChange:
    """An agency decision, applied once per ``message_id``."""

    submission_id: str
    version: int
    recipient: str
    decision: Decision
    document: Mapping[str, Any]
    actor: str
    message_id: str
    not_applied: NotAppliedNotice | None = None


Change = TransportChange | DecisionChange
Outcome = StatusChange | NotFound | None
"""Per change: the status it caused, ``None`` (nothing new to announce), or why it could not apply."""


@dataclass(slots=True)
class _Version:
    status: str
    status_sequence: int
    routed: bool
    cancelled: bool
    ucr: str
    current_version: int
    changed: bool = False


@dataclass(slots=True)
class _Recipient:
    state: RecipientState
    kind: str
    updated_at: datetime
    decision: Mapping[str, Any] | None
    changed: bool = False


def recipient_state(row: Any) -> RecipientState:
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


# The statements of every batch, built once (building one costs about as much as running it).
_HEADS = (
    select(
        submission_versions.c.submission_id,
        submission_versions.c.version,
        submission_versions.c.status,
        submission_versions.c.status_sequence,
        submission_versions.c.routed,
        submission_versions.c.cancelled,
        submissions.c.ucr,
        submissions.c.current_version,
        submissions.c.chain_head,
        submissions.c.chain_length,
    )
    .join(submissions, submissions.c.id == submission_versions.c.submission_id)
    .where(
        tuple_(submission_versions.c.submission_id, submission_versions.c.version).in_(
            bindparam("keys", expanding=True)
        )
    )
    .order_by(submission_versions.c.submission_id, submission_versions.c.version)
    # The submission row is the one lock of every writer (its event chain's head lives there: state.chain),
    # so two versions of one submission in flight are serialised too. SQLite: BEGIN IMMEDIATE holds the database.
    .with_for_update(of=submissions, key_share=True)
)
_RECIPIENTS = select(recipients).where(
    tuple_(recipients.c.submission_id, recipients.c.version).in_(bindparam("keys", expanding=True))
)
_PROCESSED = select(processed_messages.c.message_id).where(
    and_(
        processed_messages.c.consumer == "aggregator",
        processed_messages.c.message_id.in_(bindparam("ids", expanding=True)),
    )
)
_UPDATE_RECIPIENT = (
    update(recipients)
    .where(
        recipients.c.submission_id == bindparam("k_submission"),
        recipients.c.version == bindparam("k_version"),
        recipients.c.recipient == bindparam("k_recipient"),
    )
    .values(
        transport=bindparam("v_transport"),
        attempt=bindparam("v_attempt"),
        decision_status=bindparam("v_decision_status"),
        decision_sequence=bindparam("v_decision_sequence"),
        decision=bindparam("v_decision", type_=recipients.c.decision.type),
        updated_at=bindparam("v_updated_at", type_=recipients.c.updated_at.type),
    )
)
_UPDATE_VERSION = (
    update(submission_versions)
    .where(
        submission_versions.c.submission_id == bindparam("k_submission"),
        submission_versions.c.version == bindparam("k_version"),
    )
    .values(
        status=bindparam("v_status"),
        status_sequence=bindparam("v_sequence"),
        routed=bindparam("v_routed"),
        updated_at=bindparam("v_updated_at", type_=submission_versions.c.updated_at.type),
    )
)

_INSERT_PROCESSED = insert(processed_messages)
_INSERT_TERMINAL = insert(terminal_statuses)


class RecipientChanges:
    """The versions of one transaction, locked and loaded; changes replayed in memory, then flushed."""

    def __init__(
        self, conn: AsyncConnection, status_message: StatusMessageFactory, fees: FeeSession | None = None
    ) -> None:
        self._conn = conn
        self._status_message = status_message
        self._fees = fees
        self._unpaid: dict[VersionKey, frozenset[str]] = {}  # recipients with a fee due (state.fees)
        self._versions: dict[VersionKey, _Version] = {}
        self._recipients: dict[VersionKey, dict[str, _Recipient]] = {}
        self._seen: set[str] = set()  # decision message ids already applied (stored or in this batch)
        self._processed: list[str] = []
        self._events: list[dict[str, Any]] = []
        self._chains: dict[str, ChainHead] = {}  # submission -> its chain's head, as this batch moves it
        self._moved: set[str] = set()
        self._terminal: list[dict[str, Any]] = []
        self._messages: list[OutboxMessage] = []
        self.now = utcnow()

    async def load(self, keys: Iterable[VersionKey], message_ids: Iterable[str] = ()) -> None:
        """Lock and read ``keys`` (missing ones stay absent), their recipients, and which decision
        ``message_ids`` were already applied; the version lock comes first, it serialises the rest."""
        wanted = sorted(set(keys) - self._versions.keys())
        if wanted:
            for row in await self._conn.execute(_HEADS, {"keys": wanted}):
                self._versions[(row.submission_id, row.version)] = _Version(
                    row.status, row.status_sequence, row.routed, row.cancelled, row.ucr, row.current_version
                )
                self._chains.setdefault(row.submission_id, ChainHead(row.chain_head, row.chain_length))
            found = [key for key in wanted if key in self._versions]
            for key in found:
                self._recipients[key] = {}
            if found:
                for row in await self._conn.execute(_RECIPIENTS, {"keys": found}):
                    self._recipients[(row.submission_id, row.version)][row.recipient] = _Recipient(
                        recipient_state(row), row.kind, aware(row.updated_at), row.decision
                    )
                if self._fees is not None:
                    self._unpaid.update(await self._fees.load(found))
        ids = sorted(set(message_ids) - self._seen)
        if ids:
            self._seen.update(message_id for (message_id,) in await self._conn.execute(_PROCESSED, {"ids": ids}))

    # --- what one change does (the rules of the one-at-a-time path, on the loaded state) -------------------

    def apply(self, change: Change) -> Outcome:
        version = self._versions.get((change.submission_id, change.version))
        if version is None:
            return NotFound(f"no version {change.version} of submission {change.submission_id}")
        entry = self._recipients[(change.submission_id, change.version)].get(change.recipient)
        if entry is None:
            return _not_a_recipient(change.submission_id, change.version, change.recipient)
        if isinstance(change, TransportChange):
            return self._transport(change, entry)
        return self._decision(change, version, entry)

    def _transport(self, change: TransportChange, entry: _Recipient) -> StatusChange | None:
        joined = entry.state.with_transport(change.state, change.attempt)
        if joined == entry.state:
            return None
        self.event(
            change.submission_id,
            change.version,
            "TRANSPORT",
            actor=change.actor,
            recipient=change.recipient,
            status=change.state.value,
            detail={"attempt": change.attempt, **(change.detail or {})},
        )
        self.store(change.submission_id, change.version, joined)
        return self.refold(change.submission_id, change.version, change.actor)

    def _decision(self, change: DecisionChange, version: _Version, entry: _Recipient) -> StatusChange | None:
        if change.message_id in self._seen:
            return None
        self._seen.add(change.message_id)
        self._processed.append(change.message_id)
        decision = change.decision
        late = Consolidated(version.status) in TERMINAL
        why = None
        if version.cancelled:
            why = f"decision {decision.sequence} on version {change.version} not applied: the submission was cancelled"
        elif version.current_version > change.version:
            why = (
                f"decision {decision.sequence} on version {change.version} not applied: "
                f"version {change.version} was superseded by version {version.current_version}"
            )
        self.event(
            change.submission_id,
            change.version,
            "DECISION",
            actor=change.actor,
            recipient=change.recipient,
            status=decision.status.value,
            detail={
                "decision": dict(change.document),
                "late_after_terminal": late,
                "message_id": change.message_id,
                **({"not_applied": why} if why else {}),
            },
        )
        if why is not None:
            if change.not_applied is not None:
                superseded_by = version.current_version if version.current_version > change.version else None
                self._messages.append(change.not_applied(why, superseded_by))
            return None
        joined = entry.state.with_decision(decision)
        if late or joined == entry.state:
            return None
        if self._inspection_fee(change, joined):
            self.owe(change.submission_id, change.version, {change.recipient})
        self.store(change.submission_id, change.version, joined, change.document)
        return self.refold(change.submission_id, change.version, change.actor)

    def _inspection_fee(self, change: DecisionChange, joined: RecipientState) -> bool:
        """An inspection ordered: the agency's inspection fee is priced (state.fees); True if it now owes one."""
        decision = joined.decision
        if self._fees is None or decision is None or decision.status is not DecisionStatus.INSPECTION_REQUIRED:
            return False
        return self._fees.inspection(change.submission_id, change.version, change.recipient, decision.channel)

    # --- building blocks, also for the other writers (routing, replay, cancel, deadlines) -----------------

    def states(self, submission_id: str, version: int, kind: str | None = None) -> list[RecipientState]:
        """The loaded version's recipients (of ``kind``, e.g. AGENCY) as they stand after the changes so far."""
        named = sorted(self._recipients.get((submission_id, version), {}).items())
        return [entry.state for _, entry in named if kind is None or entry.kind == kind]

    def version(self, submission_id: str, version: int) -> _Version:
        found = self._versions.get((submission_id, version))
        if found is None:
            raise NotFound(f"no version {version} of submission {submission_id}")
        return found

    def recipient(self, submission_id: str, version: int, recipient: str) -> RecipientState:
        entry = self._recipients.get((submission_id, version), {}).get(recipient)
        if entry is None:
            raise _not_a_recipient(submission_id, version, recipient)
        return entry.state

    def add_recipient(self, submission_id: str, version: int, state: RecipientState, kind: str) -> None:
        """A recipient the caller inserted itself in this transaction (routing)."""
        self._recipients.setdefault((submission_id, version), {})[state.recipient] = _Recipient(
            state, kind, self.now, None
        )

    def mark_routed(self, submission_id: str, version: int) -> None:
        """The version is routed (written by ``flush``, with ``updated_at``)."""
        head = self.version(submission_id, version)
        head.routed, head.changed = True, True

    def store(
        self,
        submission_id: str,
        version: int,
        state: RecipientState,
        decision_document: Mapping[str, Any] | None = None,
    ) -> None:
        entry = self._recipients[(submission_id, version)][state.recipient]
        if decision_document is not None and state.decision is not None:
            entry.decision = {
                "channel": state.decision.channel,
                "conditions": [list(c) for c in state.decision.conditions],
                "document": dict(decision_document),
            }
        entry.state, entry.updated_at, entry.changed = state, self.now, True

    def event(
        self,
        submission_id: str,
        version: int,
        kind: str,
        *,
        actor: str | None = None,
        recipient: str | None = None,
        status: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """Record an event of a loaded submission, chained in memory (``flush`` moves the head)."""
        head = self._chains.get(submission_id)
        if head is None:
            raise NotFound(f"no submission {submission_id} in this transaction")
        row = event_row(submission_id, version, kind, actor, recipient, status, detail)
        self._chains[submission_id] = extend(head, row)
        self._moved.add(submission_id)
        self._events.append(row)

    @property
    def fees(self) -> FeeSession | None:
        return self._fees

    def owe(self, submission_id: str, version: int, recipients: Iterable[str]) -> None:
        """These recipients now have a fee due on the version (priced in this transaction)."""
        key = (submission_id, version)
        self._unpaid[key] = self._unpaid.get(key, frozenset()) | frozenset(recipients)

    def send(self, message: OutboxMessage) -> None:
        self._messages.append(message)

    def refold(self, submission_id: str, version: int, actor: str | None) -> StatusChange | None:
        """Recompute the consolidated status; announce it if it changed (never after a terminal one)."""
        head = self.version(submission_id, version)
        entries = sorted(self._recipients.get((submission_id, version), {}).items())
        states = [entry.state for _, entry in entries]
        unpaid = self._unpaid.get((submission_id, version), frozenset())
        status = consolidate(states, cancelled=head.cancelled, routed=head.routed, unpaid=unpaid)
        if status.value == head.status or Consolidated(head.status) in TERMINAL:
            return None
        sequence, now = head.status_sequence + 1, utcnow()
        terminal = status in TERMINAL
        message_id = f"{submission_id}.v{version}.{'terminal' if terminal else f'status.{sequence}'}"
        head.status, head.status_sequence, head.changed = status.value, sequence, True
        if status is Consolidated.REJECTED and self._fees is not None:
            self._fees.rejected(submission_id, version)
        if terminal:
            self._terminal.append(
                {
                    "submission_id": submission_id,
                    "version": version,
                    "status": status.value,
                    "message_id": message_id,
                    "recorded_at": now,
                }
            )
        self.event(
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
            head.ucr,
            {name: (entry.kind, entry.updated_at) for name, entry in entries},
        )
        self._messages.append(self._status_message(change))
        return change

    # --- writing it all -----------------------------------------------------------------------------------

    async def flush(self) -> list[Enqueued]:
        """Write what changed with set-based statements; returns the outbox rows to publish."""
        conn, now = self._conn, self.now
        if self._fees is not None:
            await self._fees.flush()
        if self._processed:
            await conn.execute(
                _INSERT_PROCESSED,
                [{"consumer": "aggregator", "message_id": m, "processed_at": now} for m in self._processed],
            )
        changed = [
            ((sid, ver, name), entry)
            for (sid, ver), named in self._recipients.items()
            for name, entry in named.items()
            if entry.changed
        ]
        if changed:
            await conn.execute(
                _UPDATE_RECIPIENT,
                [_recipient_values(key, entry) for key, entry in changed],
            )
        heads = [(key, head) for key, head in self._versions.items() if head.changed]
        if heads:
            await conn.execute(
                _UPDATE_VERSION,
                [
                    {
                        "k_submission": sid,
                        "k_version": ver,
                        "v_status": head.status,
                        "v_sequence": head.status_sequence,
                        "v_routed": head.routed,
                        "v_updated_at": now,
                    }
                    for (sid, ver), head in heads
                ],
            )
        if self._terminal:
            await conn.execute(_INSERT_TERMINAL, self._terminal)
        await append_chained(conn, self._events)
        if self._moved:
            await conn.execute(MOVE_HEADS, head_values({sid: self._chains[sid] for sid in self._moved}))
        return await enqueue_many(conn, self._messages)


def _recipient_values(key: RecipientKey, entry: _Recipient) -> dict[str, Any]:
    decision = entry.state.decision
    return {
        "k_submission": key[0],
        "k_version": key[1],
        "k_recipient": key[2],
        "v_transport": entry.state.transport.value,
        "v_attempt": entry.state.attempt,
        "v_decision_status": decision.status.value if decision is not None else None,
        "v_decision_sequence": decision.sequence if decision is not None else None,
        "v_decision": entry.decision,
        "v_updated_at": entry.updated_at,
    }


def _not_a_recipient(submission_id: str, version: int, recipient: str) -> NotFound:
    return NotFound(f"{recipient} is not a recipient of version {version} of {submission_id}")


def decision_ids(changes: Sequence[Change]) -> list[str]:
    return [c.message_id for c in changes if isinstance(c, DecisionChange)]


def version_keys(changes: Iterable[Change]) -> list[VersionKey]:
    return [(c.submission_id, c.version) for c in changes]
