"""Every event is linked into its submission's chain with who acted; verify names exactly what was tampered."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.audit.verify import Finding, verify
from singlewindow.platform.state.chain import ChainHead, link
from singlewindow.platform.storage.tables import events, submissions

from .conftest import CUSTOMS_USER, OFFICER, PHYTO_USER


async def rows(engine: AsyncEngine, submission_id: str = "s_1") -> list[dict[str, Any]]:
    query = select(events).where(events.c.submission_id == submission_id).order_by(events.c.sequence)
    async with engine.connect() as conn:
        return [dict(r._mapping) for r in await conn.execute(query)]


async def findings(engine: AsyncEngine) -> list[Finding]:
    return (await verify(engine, [])).findings


async def test_every_event_is_linked_in_order_with_who_acted(history: AsyncEngine, trader: str) -> None:
    s_1 = await rows(history)
    assert [(e["kind"], e["actor"]) for e in s_1] == [
        ("SUBMITTED", trader),
        ("ROUTED", "router"),
        ("STATUS_CHANGED", "router"),
        ("OFFICER_CLAIMED", OFFICER),
        ("DECISION", CUSTOMS_USER),
        ("DECISION", PHYTO_USER),
        ("STATUS_CHANGED", PHYTO_USER),
        ("SUPERSEDED", trader),
        ("AMENDED", trader),
    ]
    assert [e["chain_index"] for e in s_1] == list(range(1, 10))
    previous = None
    for event in s_1:
        assert event["entry_hash"] == link(previous, event)
        previous = event["entry_hash"]
    async with history.connect() as conn:
        head = (await conn.execute(select(submissions).where(submissions.c.id == "s_1"))).one()
    assert ChainHead(head.chain_head, head.chain_length) == ChainHead(previous, 9)
    assert [e["chain_index"] for e in await rows(history, "s_2")] == [1]  # a chain per submission
    report = await verify(history, [])
    assert (report.findings, report.links, report.unlinked, len(report.chains)) == ([], 10, 0, 2)


async def test_an_altered_detail_is_the_first_broken_link(history: AsyncEngine) -> None:
    decision = (await rows(history))[4]
    async with history.begin() as conn:
        await conn.execute(update(events).where(events.c.sequence == decision["sequence"]).values(detail={"x": 1}))
    altered = {**decision, "detail": {"x": 1}}
    (finding,) = await findings(history)
    assert finding == Finding(
        "broken_link",
        f"submission s_1: event {decision['sequence']} (DECISION, link 5) does not hash to its stored link: its "
        "content or an earlier event's was altered",
        "s_1",
        decision["sequence"],
        5,
        link((await rows(history))[3]["entry_hash"], altered),
        decision["entry_hash"],
    )


async def test_a_deleted_event_is_named_by_the_link_after_it(history: AsyncEngine) -> None:
    third, fourth = (await rows(history))[2:4]
    async with history.begin() as conn:
        await conn.execute(events.delete().where(events.c.sequence == third["sequence"]))
    (finding,) = await findings(history)
    assert (finding.kind, finding.sequence, finding.expected, finding.found) == (
        "broken_link",
        fourth["sequence"],
        3,
        4,
    )
    assert finding.message == (
        f"submission s_1: event {fourth['sequence']} (OFFICER_CLAIMED) has link 4 where link 3 was due: "
        "earlier links are missing (deleted)"
    )


async def test_a_deleted_last_event_leaves_the_head_pointing_past_the_chain(history: AsyncEngine) -> None:
    s_1 = await rows(history)
    async with history.begin() as conn:
        await conn.execute(events.delete().where(events.c.sequence == s_1[-1]["sequence"]))
    (finding,) = await findings(history)
    assert (finding.kind, finding.submission, finding.expected, finding.found) == (
        "head_mismatch",
        "s_1",
        s_1[-1]["entry_hash"],
        s_1[-2]["entry_hash"],
    )
    assert "its row says 9 links" in finding.message and "the events give 8" in finding.message


async def test_reordered_events_are_named(history: AsyncEngine) -> None:
    second, third = (await rows(history))[1:3]
    async with history.begin() as conn:  # swap the two events' places in the history
        await conn.execute(update(events).where(events.c.sequence == second["sequence"]).values(sequence=-1))
        await conn.execute(
            update(events).where(events.c.sequence == third["sequence"]).values(sequence=second["sequence"])
        )
        await conn.execute(update(events).where(events.c.sequence == -1).values(sequence=third["sequence"]))
    (finding,) = await findings(history)
    assert (finding.sequence, finding.expected, finding.found) == (second["sequence"], 2, 3)
    assert finding.message.endswith("has link 3 where link 2 was due: out of order (moved or copied)")


async def test_events_before_the_chain_are_counted_and_one_without_a_link_after_it_is_refused(
    history: AsyncEngine,
) -> None:
    legacy = (
        "INSERT INTO events (sequence, submission_id, version, kind, detail, at) "
        "VALUES (:q, 's_2', 1, 'OLD', '{}', :at)"
    )
    first = (await rows(history, "s_2"))[0]
    async with history.begin() as conn:
        await conn.execute(text(legacy), {"q": -5, "at": first["at"]})  # before the first link: pre-0009
    report = await verify(history, [])
    assert (report.findings, report.unlinked) == ([], 1)
    async with history.begin() as conn:
        await conn.execute(text(legacy), {"q": 10_000, "at": first["at"]})  # slipped in after the chain began
    (finding,) = await findings(history)
    assert finding.message == "submission s_2: event 10000 (OLD) carries no link, though link 2 was due"


async def test_an_unrepresentable_number_in_a_decision_still_hashes() -> None:
    event = {"submission_id": "s", "chain_index": 1, "version": 1, "kind": "DECISION", "actor": "a",
             "recipient": "r", "status": None, "detail": {"n": 2**60, "f": float("nan")},
             "at": datetime(2026, 1, 1, tzinfo=UTC)}  # fmt: skip
    assert len(link(None, event)) == 64
