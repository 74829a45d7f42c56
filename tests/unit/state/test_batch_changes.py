"""A batch of recipient changes gives exactly what the same changes give one at a time (state.changes)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.aggregation import Decision, DecisionStatus, TransportState
from singlewindow.platform.errors import NotFound
from singlewindow.platform.identity import PrincipalStore, Role
from singlewindow.platform.state import RecipientStore, SubmissionStore
from singlewindow.platform.state.changes import Change, DecisionChange, StatusChange, TransportChange
from singlewindow.platform.storage import open_engine, upgrade
from singlewindow.platform.storage.tables import events, outbox, recipients, submission_versions, terminal_statuses
from tests.unit.state.test_state_store import delivery, new_version, routed, status_message

AGENCIES = ("customs", "phytosanitary", "sanitary")


def decided(agency: str, status: DecisionStatus, sequence: int, message_id: str, version: int = 1) -> DecisionChange:
    return DecisionChange(
        "s_1", version, agency, Decision(status, sequence), {"n": message_id}, f"nsw-agency-{agency}", message_id
    )


def delivered(agency: str, attempt: int = 1) -> TransportChange:
    return TransportChange("s_1", 1, agency, TransportState.DELIVERED, attempt, agency, {"at": "t"})


# Reports, a duplicate decision, a revision, a stale one, a decision after the terminal status.
CHANGES: list[Change] = [
    delivered("customs"),
    decided("customs", DecisionStatus.INSPECTION_REQUIRED, 1, "m1"),
    delivered("phytosanitary"),
    delivered("customs"),
    decided("customs", DecisionStatus.INSPECTION_REQUIRED, 1, "m1"),
    decided("phytosanitary", DecisionStatus.ACCEPTED, 1, "m2"),
    decided("customs", DecisionStatus.ACCEPTED, 2, "m3"),
    decided("customs", DecisionStatus.REJECTED, 1, "m4"),
    delivered("sanitary"),
    decided("sanitary", DecisionStatus.ACCEPTED, 1, "m5"),
    decided("sanitary", DecisionStatus.REJECTED, 2, "m6"),
]


async def _routed_store(path: Path) -> tuple[AsyncEngine, RecipientStore]:
    engine = open_engine(f"sqlite:///{path}")
    await upgrade(engine)
    trader = (await PrincipalStore(engine).add("kz-fruit-importer", Role.TRADER)).principal.id
    await SubmissionStore(engine, status_message).create(new_version(trader))
    store = RecipientStore(engine, status_message)
    await store.commit_routing("s_1", 1, routed(*AGENCIES), delivery)
    return engine, store


async def _everything(engine: AsyncEngine) -> dict[str, Any]:
    async with engine.connect() as conn:
        history = [
            (r.kind, r.recipient, r.status, {k: v for k, v in r.detail.items()})
            for r in await conn.execute(select(events).order_by(events.c.sequence))
        ]
        rows = [
            (r.recipient, r.transport, r.attempt, r.decision_status, r.decision_sequence, r.decision)
            for r in await conn.execute(select(recipients).order_by(recipients.c.recipient))
        ]
        head = (await conn.execute(select(submission_versions.c.status, submission_versions.c.status_sequence))).one()
        terminal = [(r.status, r.message_id) for r in await conn.execute(select(terminal_statuses))]
        sent = [r.message_id for r in await conn.execute(select(outbox.c.message_id).order_by(outbox.c.id))]
    return {"events": history, "recipients": rows, "head": tuple(head), "terminal": terminal, "outbox": sent}


@pytest.fixture
async def two(tmp_path: Path) -> AsyncIterator[tuple[tuple[AsyncEngine, RecipientStore], ...]]:
    pair = (await _routed_store(tmp_path / "alone.db"), await _routed_store(tmp_path / "batch.db"))
    yield pair
    for engine, _ in pair:
        await engine.dispose()


async def test_a_batch_writes_what_the_same_changes_write_one_at_a_time(
    two: tuple[tuple[AsyncEngine, RecipientStore], ...],
) -> None:
    (alone_engine, alone), (batch_engine, batch) = two
    one_by_one = []
    for change in CHANGES:
        (outcome,), _ = await alone.apply_changes([change])
        one_by_one.append(outcome)
    together, rows = await batch.apply_changes(CHANGES)
    assert rows, "the batch's status messages are in the outbox"
    describe = [(o.status, o.status_sequence, o.terminal) if isinstance(o, StatusChange) else o for o in together]
    assert describe == [
        (o.status, o.status_sequence, o.terminal) if isinstance(o, StatusChange) else o for o in one_by_one
    ]
    assert await _everything(batch_engine) == await _everything(alone_engine)
    state = await _everything(batch_engine)
    assert state["terminal"] == [("CLEARED", "s_1.v1.terminal")]  # sanitary's REJECTED came after it: kept, late
    assert [e[0] for e in state["events"]].count("DECISION") == 6  # m1 once (its duplicate adds nothing), m2..m6


async def test_a_change_for_an_unknown_recipient_is_refused_alone(
    two: tuple[tuple[AsyncEngine, RecipientStore], ...],
) -> None:
    _, (engine, store) = two
    outcomes, _ = await store.apply_changes(
        [delivered("customs"), delivered("veterinary"), decided("customs", DecisionStatus.ACCEPTED, 1, "x1", version=7)]
    )
    assert outcomes[0] is None
    assert isinstance(outcomes[1], NotFound) and "veterinary is not a recipient" in str(outcomes[1])
    assert isinstance(outcomes[2], NotFound) and "no version 7" in str(outcomes[2])
    rows = {r[0]: r[1] for r in (await _everything(engine))["recipients"]}
    assert rows["customs"] == "DELIVERED"
    with pytest.raises(NotFound):
        await store.apply_transport("s_1", 1, "veterinary", TransportState.DELIVERED, 1, "x")
