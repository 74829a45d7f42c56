"""Two hub processes (two engines) appending to one submission's chain at once, two versions in flight:
the chain never forks (every writer holds the submission row while it appends)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from singlewindow.platform.aggregation import Decision, DecisionStatus, TransportState
from singlewindow.platform.audit.verify import verify
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
from singlewindow.platform.state.common import lock_version
from singlewindow.platform.state.events import append_event
from singlewindow.platform.storage import open_engine, upgrade
from singlewindow.platform.storage.tables import events, submissions

pytestmark = pytest.mark.integration
AGENCIES = [f"agency-{n}" for n in range(8)]


def message(message_id: str) -> OutboxMessage:
    return OutboxMessage(message_id, "nsw.test", "key", "test", b"{}", "application/json", "s_1")


def status_message(change: StatusChange) -> OutboxMessage:
    return message(f"{change.message_id}")


def version(trader: str, extra: int) -> NewVersion:
    document = {"ucr": "KZ24CHAIN0001", "extra": extra}
    return NewVersion("s_1", trader, trader, "REF-1", "consignment", document, [], lambda v: message(f"s_1.v{v}"))


async def test_two_processes_appending_to_two_versions_of_one_submission_never_fork_its_chain(
    fresh_postgres_url: str,
) -> None:
    first, second = open_engine(fresh_postgres_url), open_engine(fresh_postgres_url)
    try:
        await upgrade(first)
        trader = (await PrincipalStore(first).add("kz-importer", Role.TRADER)).principal.id
        store = SubmissionStore(first, status_message)
        routed = [RoutedRecipient(a, "AGENCY", "view", ["r"], timedelta(hours=1)) for a in AGENCIES]
        await store.create(version(trader, 1))
        await RecipientStore(first, status_message).commit_routing(
            "s_1", 1, routed, lambda e: message(f"1.{e.recipient}")
        )
        await store.amend(version(trader, 2))
        await RecipientStore(first, status_message).commit_routing(
            "s_1", 2, routed, lambda e: message(f"2.{e.recipient}")
        )

        async def deliver(engine_index: int, ver: int, agency: str) -> None:
            recipients = RecipientStore((first, second)[engine_index], status_message)
            await recipients.apply_transport("s_1", ver, agency, TransportState.DELIVERED, 1, f"user-{agency}")
            await recipients.apply_decision(
                "s_1", ver, agency, Decision(DecisionStatus.ACCEPTED, 1), {}, f"user-{agency}", f"{ver}.{agency}"
            )

        async def officer(engine_index: int, ver: int, agency: str) -> None:
            async with (first, second)[engine_index].begin() as conn:
                await record_action(conn, "s_1", ver, agency, CLAIMED, f"officer-{agency}", {"ticket": ver})

        work = [deliver(n % 2, ver, a) for ver in (1, 2) for n, a in enumerate(AGENCIES)]
        work += [officer((n + 1) % 2, ver, a) for ver in (1, 2) for n, a in enumerate(AGENCIES)]
        await asyncio.gather(*work)

        report = await verify(first, [])
        async with first.connect() as conn:
            indices = [i for (i,) in await conn.execute(select(events.c.chain_index).order_by(events.c.sequence))]
            length = (await conn.execute(select(submissions.c.chain_length))).scalar_one()
        assert (report.findings, report.links) == ([], len(indices))
        assert indices == list(range(1, len(indices) + 1)) and length == len(indices)
        # submitted, routed, status, superseded, amended, routed, status; per version and agency a delivery, a
        # decision (not applied on the superseded version 1) and a claim; version 2 cleared
        assert len(indices) == 7 + 3 * 2 * len(AGENCIES) + 1
    finally:
        await first.dispose()
        await second.dispose()


async def test_an_append_to_one_version_waits_for_a_writer_holding_another(fresh_postgres_url: str) -> None:
    first, second = open_engine(fresh_postgres_url), open_engine(fresh_postgres_url)
    try:
        await upgrade(first)
        trader = (await PrincipalStore(first).add("kz-importer", Role.TRADER)).principal.id
        store = SubmissionStore(first, status_message)
        await store.create(version(trader, 1))
        await store.amend(version(trader, 2))
        async with first.begin() as holder:
            await lock_version(holder, "s_1", 1)

            async def other_version() -> None:
                async with second.begin() as conn:
                    await append_event(conn, "s_1", 2, "TEST", actor="x", detail={"n": json.dumps(2)})

            waiting = asyncio.create_task(other_version())
            await asyncio.sleep(0.3)
            assert not waiting.done(), "an append to version 2 did not wait for the holder of version 1"
            await append_event(holder, "s_1", 1, "TEST", actor="y")
        await asyncio.wait_for(waiting, 10)
        assert (await verify(first, [])).findings == []
    finally:
        await first.dispose()
        await second.dispose()
