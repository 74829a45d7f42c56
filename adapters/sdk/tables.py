"""The adapter's own store: what it handed over and which decisions it published (SQLAlchemy Core).

Kept apart from the hub's database (an adapter may run on another machine, next to the agency system).
Tables carry the agency, so several adapters may share one database. ``migrate`` creates what is missing
and records the schema version, so a newer SDK can add steps without touching existing rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    insert,
    select,
)
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

metadata = MetaData()

schema_version = Table(
    "adapter_schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
)

handovers = Table(
    "adapter_handovers",
    metadata,
    Column("message_id", String(255), primary_key=True),
    Column("agency", String(32), nullable=False, index=True),
    Column("submission_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("ucr", String(35), nullable=False),
    Column("view", String(64), nullable=False),
    Column("reference", String(255), nullable=False),
    Column("handed_over_at", DateTime(timezone=True), nullable=False),
)

decisions = Table(
    "adapter_decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("agency", String(32), nullable=False),
    Column("submission_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("idempotency_key", String(200), nullable=False),
    Column("message_id", String(255), nullable=False, unique=True),
    Column("document", Text, nullable=False),
    Column("published", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("agency", "submission_id", "version", "idempotency_key", name="uq_adapter_decision_key"),
    UniqueConstraint("agency", "submission_id", "version", "sequence", name="uq_adapter_decision_sequence"),
)

answers = Table(
    "adapter_answers",
    metadata,
    Column("message_id", String(255), primary_key=True),
    Column("agency", String(32), nullable=False),
    Column("answered_at", DateTime(timezone=True), nullable=False),
)

withdrawals = Table(
    "adapter_withdrawals",
    metadata,
    Column("message_id", String(255), primary_key=True),
    Column("agency", String(32), nullable=False),
    Column("submission_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Column("withdrawn_at", DateTime(timezone=True), nullable=False),
)
"""Versions the agency stops working on (a cancellation notice taken, or a version replaced): no decision
is expected on them any more. Keyed by the notice's message id (a redelivery adds nothing); recorded as the
notice is taken, before the adapter is told, so a document of that version is never handed over after."""

notices = Table(
    "adapter_notices",
    metadata,
    Column("message_id", String(255), primary_key=True),
    Column("agency", String(32), nullable=False),
    Column("passed_on_at", DateTime(timezone=True), nullable=False),
)
"""Cancellation notices ``cancelled`` returned from: a redelivery is then only acked. A notice whose hook
raised has its withdrawal but no row here, so its retry calls the hook again."""


def _notices_from_withdrawals(conn: Connection) -> None:
    """Until step 3 a withdrawal was recorded only once its notice was passed on: carry those over."""
    notices.create(conn)
    taken = select(withdrawals.c.message_id, withdrawals.c.agency, withdrawals.c.withdrawn_at)
    conn.execute(insert(notices).from_select(["message_id", "agency", "passed_on_at"], taken))


# Each step takes a sync connection inside the migration transaction; append, never edit.
STEPS: list[Callable[[Connection], None]] = [
    lambda conn: metadata.create_all(conn, tables=[handovers, decisions, answers]),
    lambda conn: metadata.create_all(conn, tables=[withdrawals]),
    _notices_from_withdrawals,
]


def apply_steps(conn: Connection, version: Table, steps: Sequence[Callable[[Connection], None]]) -> int:
    """Run the ``steps`` not yet recorded in the one-row ``version`` table, recording each; returns how many
    steps the store now has. Steps are appended, never edited, so an older store is brought forward."""
    version.create(conn, checkfirst=True)
    current = conn.execute(select(version.c.version)).scalar() or 0
    for number, step in enumerate(steps[current:], start=current + 1):
        step(conn)
        conn.execute(version.delete())
        conn.execute(version.insert().values(version=number))
    return len(steps)


def _migrate(conn: Connection) -> int:
    return apply_steps(conn, schema_version, STEPS)


async def migrate(engine: AsyncEngine) -> int:
    """Bring the store to the current schema version; returns it. Safe to run on every start."""
    async with engine.begin() as conn:
        return await conn.run_sync(_migrate)
