"""A hub database on SQLite with one submission's whole history: submitted, routed, an officer's claim, two
agency decisions (one by a broker user, cleared), then amended; every kind of writer appended to the chain."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.aggregation import Decision, DecisionStatus
from singlewindow.platform.identity import PrincipalStore, Role
from singlewindow.platform.officers.history import CLAIMED, record_action
from singlewindow.platform.state import (
    NewVersion,
    OutboxMessage,
    RecipientStore,
    RoutedRecipient,
    StatusChange,
    SubmissionStore,
)
from singlewindow.platform.storage import open_engine, upgrade

CUSTOMS_USER, PHYTO_USER, OFFICER = "nsw-agency-customs", "nsw-agency-phytosanitary", "officer-aigerim"


def message(message_id: str, submission_id: str = "s_1") -> OutboxMessage:
    return OutboxMessage(message_id, "nsw.test", "key", "test", b"{}", "application/json", submission_id)


def status_message(change: StatusChange) -> OutboxMessage:
    return message(change.message_id, change.submission_id)


def new_version(trader: str, document: dict[str, object], submission_id: str = "s_1") -> NewVersion:
    return NewVersion(
        submission_id,
        trader,
        trader,
        f"REF-{submission_id}",
        "consignment",
        document,
        [],
        lambda version: message(f"{submission_id}.v{version}.intake", submission_id),
    )


def routed(*names: str) -> list[RoutedRecipient]:
    return [RoutedRecipient(n, "AGENCY", f"view-{n}", [f"rule-{n}"], timedelta(hours=1)) for n in names]


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = open_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    await upgrade(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
async def trader(engine: AsyncEngine) -> str:
    return (await PrincipalStore(engine).add("kz-fruit-importer", Role.TRADER)).principal.id


@pytest.fixture
async def history(engine: AsyncEngine, trader: str) -> AsyncEngine:
    """Submission s_1 through every writer; s_2 only submitted (a second, independent chain)."""
    submissions, recipients = SubmissionStore(engine, status_message), RecipientStore(engine, status_message)
    await submissions.create(new_version(trader, {"ucr": "KZ24APPLES0001", "documentId": "D1"}))
    await submissions.create(new_version(trader, {"ucr": "KZ24PEARS0002", "documentId": "D2"}, "s_2"))
    await recipients.commit_routing("s_1", 1, routed("customs", "phytosanitary"), lambda e: message(f"d.{e.recipient}"))
    async with engine.begin() as conn:
        await record_action(conn, "s_1", 1, "phytosanitary", CLAIMED, OFFICER, {"ticket": 7})
    accepted = Decision(DecisionStatus.ACCEPTED, 1)
    await recipients.apply_decision("s_1", 1, "customs", accepted, {"note": 2**60}, CUSTOMS_USER, "m1")
    await recipients.apply_decision("s_1", 1, "phytosanitary", accepted, {}, PHYTO_USER, "m2")
    await submissions.amend(new_version(trader, {"ucr": "KZ24APPLES0001", "documentId": "D1", "extra": 1}))
    return engine
