"""The officer queue and the attachment access query on PostgreSQL: concurrent officers claim with
``SKIP LOCKED`` and never get the same document; claims expire; the JSON query that decides whether a
routed submission refers to an attachment works on PostgreSQL's JSON type as on SQLite's."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from sqlalchemy import insert

from singlewindow.platform.attachments import AttachmentStore
from singlewindow.platform.officers import OfficerQueue
from singlewindow.platform.state.common import utcnow
from singlewindow.platform.storage import open_engine, upgrade
from singlewindow.platform.storage.tables import principals, recipients, submission_versions, submissions

pytestmark = pytest.mark.integration
HASH = "ab" * 32


async def test_concurrent_officers_never_share_a_document(
    fresh_postgres_url: str, bare_submissions: Callable[..., Awaitable[None]]
) -> None:
    engine = open_engine(fresh_postgres_url)
    try:
        await upgrade(engine)
        await bare_submissions(engine, *(f"s{n}" for n in range(12)))  # claims are recorded in their histories
        queue = OfficerQueue(engine, timedelta(seconds=1))
        for n in range(12):
            await queue.enqueue("border-guard", f"s{n}", 1, 1, "UCR1", "view-border-guard", {"n": n}, "adapter")
        claims = await asyncio.gather(*(queue.claim_next("border-guard", f"officer-{i}") for i in range(16)))
        tickets = [c.ticket for c in claims if c is not None]
        assert len(tickets) == 12 and len(set(tickets)) == 12
        assert claims.count(None) == 4
        assert await queue.claim_next("veterinary", "vet-officer") is None  # another agency's queue is separate
        await asyncio.sleep(1.1)
        again = await asyncio.gather(*(queue.claim_next("border-guard", f"late-{i}") for i in range(12)))
        assert len({c.ticket for c in again if c is not None}) == 12  # expired claims went to the next officers
    finally:
        await engine.dispose()


async def test_attachment_reference_query_on_postgresql(fresh_postgres_url: str) -> None:
    engine = open_engine(fresh_postgres_url)
    try:
        await upgrade(engine)
        now = utcnow()
        document = {"ucr": "UCR1", "attachments": [{"sha256": HASH, "kind": "CERTIFICATE"}]}
        async with engine.begin() as conn:
            await conn.execute(insert(principals).values(id="p1", name="trader", role="trader", created_at=now))
            await conn.execute(
                insert(submissions).values(
                    id="s1", declarant_id="p1", trader_reference="R1", document_type="consignment", ucr="UCR1",
                    current_version=1, created_at=now,
                )
            )  # fmt: skip
            await conn.execute(
                insert(submission_versions).values(
                    submission_id="s1", version=1, document=document, payload_sha256="0" * 64, status="UNDER_REVIEW",
                    status_sequence=1, routed=True, cancelled=False, created_by="p1", created_at=now, updated_at=now,
                )
            )  # fmt: skip
            await conn.execute(
                insert(recipients).values(
                    submission_id="s1", version=1, recipient="phytosanitary", kind="AGENCY", view="view-phytosanitary",
                    matched_rules=[], transport="DELIVERED", attempt=1, deadline_at=now, updated_at=now,
                )
            )  # fmt: skip
        store = AttachmentStore(engine)
        assert await store.referred_to("phytosanitary", HASH)
        assert not await store.referred_to("veterinary", HASH)
        assert not await store.referred_to("phytosanitary", "cd" * 32)
        assert (await store.routed_document("phytosanitary", "s1", 1))["attachments"][0]["sha256"] == HASH
    finally:
        await engine.dispose()
