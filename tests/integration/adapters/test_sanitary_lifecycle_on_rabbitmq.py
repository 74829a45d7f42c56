"""Issue 12 for the sanitary adapter on RabbitMQ with the shared table on PostgreSQL (setup in
customs_sanitary_run.py): cancel before and after delivery (the row is withdrawn, never decided afterwards),
amend after a decision (a new row replacing the old one, decided), query answered then decided, and the
legacy system's intake refusing rows: exhausted to the dead letters with its reason and replayed."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from singlewindow.adapters.sanitary.database import agency_engine
from singlewindow.adapters.sanitary.table import requests
from singlewindow.platform.topology import names

from .customs_sanitary_run import sanitary_stage

pytestmark = pytest.mark.integration


async def rows(url: str, submission_id: str) -> list[Any]:
    engine = agency_engine(url)
    try:
        async with engine.connect() as conn:
            query = select(requests).where(requests.c.submission_id == submission_id).order_by(requests.c.request_no)
            return list(await conn.execute(query))
    finally:
        await engine.dispose()


async def table_locked(url: str) -> bool:
    """The legacy system holds its table (down): a write waits past a short lock timeout."""
    engine = agency_engine(url, lock_timeout_seconds=0.3)
    try:
        async with engine.begin() as conn:
            await conn.execute(update(requests).where(text("1 = 0")).values(status=None))
    except DBAPIError:
        return True
    finally:
        await engine.dispose()
    return False


async def test_cancel_before_and_after_delivery_and_amend_after_a_decision(
    adapter_vhost: Any, fresh_postgres_url: str, tmp_path: Path
) -> None:
    async with sanitary_stage(adapter_vhost, fresh_postgres_url, tmp_path) as stage:
        # Cancelled while the legacy system holds its table locked: never decided.
        stage.script(down=True)
        await stage.until(lambda: table_locked(fresh_postgres_url))  # the document meets the system down
        early = await stage.submit("apples")
        await stage.hub.hub.intake.cancel(stage.trader, early, "cancelled by the declarant: wrong truck")
        await stage.wait(early, lambda v: v.status.value == "CANCELLED")
        stage.script()
        probe = await stage.submit("apples")
        await stage.wait_status(probe, "ACCEPTED")

        async def early_withdrawn() -> bool:  # the probe's answer does not order the cancellation before it
            found = await rows(fresh_postgres_url, early)
            return all(row.withdrawn_at is not None and row.status is None for row in found)

        await stage.until(early_withdrawn)
        assert stage.mine(await stage.hub.hub.intake.get(stage.trader, early))[1] == {}

        # Cancelled after delivery, while the system waits for an answer to its query: withdrawn, no decision.
        stage.script(query_first=True)
        queried = await stage.submit("beef")
        await stage.wait_status(queried, "QUERY")
        await stage.hub.hub.intake.cancel(stage.trader, queried, "cancelled by the declarant")
        await stage.wait(queried, lambda v: v.status.value == "CANCELLED")

        async def withdrawn() -> bool:
            return all(row.withdrawn_at is not None for row in await rows(fresh_postgres_url, queried))

        await stage.until(withdrawn)
        stage.script()
        later = await stage.submit("apples")  # the system keeps working
        await stage.wait_status(later, "ACCEPTED")
        (row,) = await rows(fresh_postgres_url, queried)
        assert (row.status, row.answer, row.withdrawn_reason) == ("QUERY", None, "cancelled by the declarant")

        # Amended after the decision: a new row replaces the old one and is decided.
        beef = await stage.submit("beef")
        await stage.wait(beef, lambda v: v.status.value == "CLEARED")

        def relabelled(body: dict[str, Any]) -> None:
            body["goodsItems"][0]["description"] += " (relabelled)"

        await stage.amend(beef, relabelled)
        view = await stage.wait(beef, lambda v: v.version == 2 and v.terminal)
        assert (view.status.value, stage.mine(view)[0]) == ("CLEARED", "ACCEPTED_WITH_CONDITIONS")
        old, new = await rows(fresh_postgres_url, beef)
        assert old.withdrawn_reason == f"replaced by version 2 (row {new.request_no})"
        assert (new.submission_version, new.replaces, new.withdrawn_at) == (2, old.request_no, None)


async def test_query_answered_then_decided_and_an_intake_refusal_replayed(
    adapter_vhost: Any, fresh_postgres_url: str, tmp_path: Path
) -> None:
    async with sanitary_stage(adapter_vhost, fresh_postgres_url, tmp_path) as stage:
        stage.script(query_first=True, query_question="Shelf life?", query_fields=["/goodsItems/0"])
        beef = await stage.submit("beef")
        view = await stage.wait_status(beef, "QUERY")
        assert stage.mine(view)[1]["query"] == {"question": "Shelf life?", "fields": ["/goodsItems/0"]}
        await stage.hub.hub.intake.respond_to_query(stage.trader, beef, "sanitary", "Twelve months at -18 C")
        view = await stage.wait(beef, lambda v: v.terminal)
        assert (view.status.value, stage.mine(view)[0], stage.mine(view)[1]["decisionSequence"]) == (
            "CLEARED", "ACCEPTED_WITH_CONDITIONS", 2,
        )  # fmt: skip
        (row,) = await rows(fresh_postgres_url, beef)
        assert row.answer == "Twelve months at -18 C"

        # The legacy system's intake refuses rows: retried through the tiers, then dead-lettered.
        stage.script(intake_error="SES intake: reference tables reloading")
        await asyncio.sleep(0.5)  # the stand-in puts its intake check on the table at its next poll
        refused = await stage.submit("apples")
        await stage.wait_status(refused, "DELIVERY_FAILED")

        async def shown() -> bool:
            return any(refused in str(m["message_id"]) for m in await stage.dead_letters())

        await stage.until(shown)
        (letter,) = [m for m in await stage.dead_letters() if refused in str(m["message_id"])]
        assert str(letter["reason"]).startswith("IntakeRefused: the sanitary system refused the row"), letter
        assert "reference tables reloading" in str(letter["reason"])
        stage.script()
        await asyncio.sleep(0.5)  # the intake check comes off the table
        replayed = await asyncio.to_thread(stage.nsw, "dlq", "replay", "--queue", names.dlq(stage.agency))
        assert replayed.returncode == 0, replayed.stdout + replayed.stderr
        view = await stage.wait(refused, lambda v: v.terminal)
        assert (view.status.value, stage.mine(view)[0]) == ("CLEARED", "ACCEPTED")
