"""The state store on PostgreSQL under two concurrent writers (two engines, as two hub processes would)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select

from singlewindow.platform.aggregation import Consolidated, Decision, DecisionStatus
from singlewindow.platform.identity import PrincipalStore, Role
from singlewindow.platform.state import (
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

AGENCIES = ("customs", "border-guard", "veterinary", "sanitary")


def status_message(change: StatusChange) -> OutboxMessage:
    return OutboxMessage(
        change.message_id,
        "nsw.status",
        change.submission_id,
        "clearance-status",
        json.dumps({"status": change.status.value}).encode(),
        "application/json",
    )


def intake(sid: str) -> Callable[[int], OutboxMessage]:
    def message(version: int) -> OutboxMessage:
        return OutboxMessage(
            f"{sid}.v{version}.intake", "nsw.intake", "consignment", "consignment", b"{}", "application/json", sid
        )

    return message


def delivery(sid: str) -> object:
    return lambda entry: OutboxMessage(
        f"{sid}.v1.{entry.recipient}.a1", "nsw.agency", entry.recipient, entry.view, b"{}", "application/json", sid
    )


async def test_concurrent_decisions_from_two_processes_record_one_terminal_each(fresh_postgres_url: str) -> None:
    first, second = open_engine(fresh_postgres_url), open_engine(fresh_postgres_url)
    await upgrade(first)
    trader = (await PrincipalStore(first).add("kz-meat-importer", Role.TRADER)).principal.id
    submissions = SubmissionStore(first, status_message)
    stores = [RecipientStore(engine, status_message) for engine in (first, second)]
    ids = [f"s_{n:03d}" for n in range(30)]
    for sid in ids:
        await submissions.create(
            NewVersion(sid, trader, trader, sid, "consignment", {"ucr": sid.upper()}, [], intake(sid))
        )
        routed = [RoutedRecipient(a, "AGENCY", f"view-{a}", ["r"], timedelta(hours=1)) for a in AGENCIES]
        await stores[0].commit_routing(sid, 1, routed, delivery(sid))  # type: ignore[arg-type]

    async def decide(store: RecipientStore, sid: str, agency: str) -> None:
        # Both processes apply every decision (a redelivery): the message id makes the second a no-op.
        await store.apply_decision(sid, 1, agency, Decision(DecisionStatus.ACCEPTED, 1), {}, agency, f"{sid}.{agency}")

    await asyncio.gather(*(decide(store, sid, a) for sid in ids for a in AGENCIES for store in stores))
    async with first.connect() as conn:
        terminals = (await conn.execute(select(func.count()).select_from(terminal_statuses))).scalar_one()
        terminal_messages = (
            await conn.execute(select(func.count()).select_from(outbox).where(outbox.c.message_id.like("%.terminal")))
        ).scalar_one()
    assert terminals == terminal_messages == len(ids)
    assert {(await submissions.version(sid, 1)).status for sid in ids} == {Consolidated.CLEARED}

    # Deadlines claimed by both processes at once: each recipient marked overdue exactly once.
    late = [f"t_{n:03d}" for n in range(10)]
    for sid in late:
        await submissions.create(
            NewVersion(sid, trader, trader, sid, "consignment", {"ucr": sid.upper()}, [], intake(sid))
        )
        await stores[0].commit_routing(
            sid, 1, [RoutedRecipient("customs", "AGENCY", "view-customs", ["r"], timedelta(seconds=1))], delivery(sid)
        )  # type: ignore[arg-type]
    later = utcnow() + timedelta(minutes=5)
    results = await asyncio.gather(*(store.mark_overdue(later, limit=3) for store in stores for _ in range(5)))
    changed = [change.submission_id for changes, _ in results for change in changes]
    assert len(changed) == len(set(changed))
    assert sorted(changed) == late
    await first.dispose()
    await second.dispose()


async def test_hub_processes_started_together_migrate_once(fresh_postgres_url: str) -> None:
    engines = [open_engine(fresh_postgres_url) for _ in range(4)]
    try:
        await asyncio.gather(*(upgrade(engine) for engine in engines))  # without the lock: duplicate tables
        async with engines[0].connect() as conn:
            from sqlalchemy import text

            heads = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
        assert len(heads) == 1
    finally:
        for engine in engines:
            await engine.dispose()
