"""The hub's state store on SQLite: idempotent intake, routing commit, decisions, terminal-once, deadlines."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.aggregation import Consolidated, Decision, DecisionStatus, TransportState
from singlewindow.platform.errors import Conflict
from singlewindow.platform.identity import PrincipalStore, Role
from singlewindow.platform.state import (
    EventLog,
    NewVersion,
    OutboxMessage,
    RecipientStore,
    RoutedRecipient,
    StatusChange,
    SubmissionStore,
)
from singlewindow.platform.state.common import utcnow
from singlewindow.platform.storage import open_engine, upgrade
from singlewindow.platform.storage.tables import outbox, terminal_statuses


def status_message(change: StatusChange) -> OutboxMessage:
    body = {"status": change.status.value, "sequence": change.status_sequence}
    return OutboxMessage(
        change.message_id,
        "nsw.status",
        change.submission_id,
        "clearance-status",
        json.dumps(body).encode(),
        "application/json",
        change.submission_id,
    )


def intake(submission_id: str) -> object:
    return lambda version: OutboxMessage(
        f"{submission_id}.v{version}.intake",
        "nsw.intake",
        "consignment",
        "consignment",
        b"{}",
        "application/json",
        submission_id,
    )


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = open_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def trader(engine: AsyncEngine) -> str:
    return (await PrincipalStore(engine).add("kz-fruit-importer", Role.TRADER)).principal.id


def new_version(trader: str, submission_id: str = "s_1", ucr: str = "KZ24APPLES0001", **extra: object) -> NewVersion:
    document = {"ucr": ucr, "documentId": "D1", **extra}
    return NewVersion(
        submission_id, trader, trader, "REF-1", "consignment", document, [("MANIFEST", "M-1")], intake(submission_id)
    )  # type: ignore[arg-type]


def routed(*names: str) -> list[RoutedRecipient]:
    return [RoutedRecipient(n, "AGENCY", f"view-{n}", [f"rule-{n}"], timedelta(hours=1)) for n in names]


def delivery(entry: RoutedRecipient) -> OutboxMessage:
    return OutboxMessage(
        f"s_1.v1.{entry.recipient}.a1", "nsw.agency", entry.recipient, entry.view, b"{}", "application/json", "s_1"
    )


async def test_resubmission_is_idempotent_and_a_different_payload_conflicts(engine: AsyncEngine, trader: str) -> None:
    store = SubmissionStore(engine, status_message)
    first, created, rows = await store.create(new_version(trader))
    assert created and len(rows) == 1
    again, created_again, rows_again = await store.create(new_version(trader, submission_id="s_2"))
    assert (again.id, created_again, rows_again) == (first.id, False, [])
    with pytest.raises(Conflict, match="Amend"):
        await store.create(new_version(trader, submission_id="s_3", ucr="KZ24APPLES0002"))


async def test_routing_then_decisions_reach_one_terminal_status(engine: AsyncEngine, trader: str) -> None:
    submissions, recipients = SubmissionStore(engine, status_message), RecipientStore(engine, status_message)
    await submissions.create(new_version(trader))
    committed, rows = await recipients.commit_routing("s_1", 1, routed("customs", "phytosanitary"), delivery)
    assert committed and len(rows) == 3  # two deliveries and the UNDER_REVIEW status
    assert (await recipients.commit_routing("s_1", 1, routed("customs"), delivery)) == (False, [])
    assert (await submissions.version("s_1", 1)).status is Consolidated.UNDER_REVIEW

    accepted = Decision(DecisionStatus.ACCEPTED, 1)
    change, _ = await recipients.apply_decision("s_1", 1, "customs", accepted, {}, "nsw-agency-customs", "m1")
    assert change is None  # phytosanitary still pending: UNDER_REVIEW unchanged
    assert await recipients.apply_decision("s_1", 1, "customs", accepted, {}, "nsw-agency-customs", "m1") == (None, [])
    change, rows = await recipients.apply_decision(
        "s_1",
        1,
        "phytosanitary",
        Decision(DecisionStatus.ACCEPTED_WITH_CONDITIONS, 1, None, (("FUM", "fumigate"),)),
        {},
        "nsw-agency-phytosanitary",
        "m2",
    )
    assert change is not None and change.status is Consolidated.CLEARED and change.terminal
    assert change.conditions == (("phytosanitary", "FUM", "fumigate"),) and change.message_id == "s_1.v1.terminal"

    late = Decision(DecisionStatus.REJECTED, 2)
    assert await recipients.apply_decision("s_1", 1, "customs", late, {}, "nsw-agency-customs", "m3") == (None, [])
    assert (await submissions.version("s_1", 1)).status is Consolidated.CLEARED
    history = await EventLog(engine).of("s_1")
    assert [e.detail["late_after_terminal"] for e in history if e.kind == "DECISION"] == [False, False, True]
    async with engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(terminal_statuses))).scalar_one() == 1


async def test_overdue_holds_and_a_decision_still_wins(engine: AsyncEngine, trader: str) -> None:
    submissions, recipients = SubmissionStore(engine, status_message), RecipientStore(engine, status_message)
    await submissions.create(new_version(trader))
    await recipients.commit_routing("s_1", 1, routed("veterinary"), delivery)
    changes, _ = await recipients.mark_overdue(utcnow() + timedelta(hours=2))
    assert [c.status for c in changes] == [Consolidated.HELD]
    assert (await recipients.mark_overdue(utcnow() + timedelta(hours=3))) == ([], [])
    change, _ = await recipients.apply_decision(
        "s_1", 1, "veterinary", Decision(DecisionStatus.ACCEPTED, 1), {}, "nsw-agency-veterinary", "m1"
    )
    assert change is not None and change.status is Consolidated.CLEARED
    change, _ = await recipients.apply_transport("s_1", 1, "veterinary", TransportState.DELIVERED, 1, "adapter")
    assert change is None


async def test_failed_delivery_holds_until_replayed_and_decided(engine: AsyncEngine, trader: str) -> None:
    submissions, recipients = SubmissionStore(engine, status_message), RecipientStore(engine, status_message)
    await submissions.create(new_version(trader))
    await recipients.commit_routing("s_1", 1, routed("sanitary"), delivery)
    change, _ = await recipients.apply_transport("s_1", 1, "sanitary", TransportState.DELIVERY_FAILED, 1, "dlx")
    assert change is not None and change.status is Consolidated.HELD
    change, rows = await recipients.replay(
        "s_1",
        1,
        "sanitary",
        "operator",
        lambda entry, attempt: OutboxMessage(
            f"s_1.v1.sanitary.a{attempt}", "nsw.agency", "sanitary", entry.view, b"{}", "application/json", "s_1"
        ),
    )
    assert change is not None and change.status is Consolidated.UNDER_REVIEW and len(rows) == 2
    stale, _ = await recipients.apply_transport("s_1", 1, "sanitary", TransportState.DELIVERY_FAILED, 1, "dlx")
    assert stale is None


async def test_cancel_is_terminal_and_amend_starts_a_new_version(engine: AsyncEngine, trader: str) -> None:
    submissions, recipients = SubmissionStore(engine, status_message), RecipientStore(engine, status_message)
    await submissions.create(new_version(trader))
    await recipients.commit_routing("s_1", 1, routed("customs"), delivery)
    amended, rows = await submissions.amend(new_version(trader, note="second thoughts"))
    assert amended.current_version == 2 and len(rows) == 1
    change, _ = await submissions.cancel("s_1", trader, "wrong truck")
    assert change is not None and change.status is Consolidated.CANCELLED and change.version == 2
    with pytest.raises(Conflict):
        await submissions.cancel("s_1", trader, "again")
    with pytest.raises(Conflict):
        await submissions.amend(new_version(trader, note="third"))
    async with engine.connect() as conn:
        ids = [r.message_id for r in await conn.execute(select(outbox.c.message_id).order_by(outbox.c.id))]
    assert ids == ["s_1.v1.intake", "s_1.v1.customs.a1", "s_1.v1.status.2", "s_1.v2.intake", "s_1.v2.terminal"]
