"""Two gateway defects the cross-border fault harness found (tests/faults/test_crossborder_faults.py).

1. ``HttpIntake.submit`` read ``submissionId`` at the top of the hub's POST answer, which is
   ``{"submission": view, "created": bool}``: every envelope submitted over HTTP raised KeyError and was
   dead-lettered (the in-process intake of the other tests hid it). Checked here on the hub's real HTTP app.
2. The resend sweep sent every unreceipted envelope again on every round once it was older than
   ``resend_after`` (48 envelopes every 0.6 s while a link was cut); a resend is now recorded and the next
   one waits a full ``resend_after``.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from singlewindow.adapters.gateway.intake import HttpIntake
from singlewindow.adapters.gateway.store import GatewayStore
from singlewindow.adapters.gateway.tables import STEPS, metadata, outbound
from singlewindow.platform.api.http_app import build_http_app
from singlewindow.platform.api.operations import SubmissionApi
from singlewindow.platform.demo.crossborder import DATA
from singlewindow.platform.identity import Role
from singlewindow.platform.settings import Settings
from singlewindow.platform.state.common import utcnow
from singlewindow.platform.testing import embedded_hub


async def test_http_intake_submits_through_the_hubs_http_api(tmp_path: Path) -> None:
    settings = Settings()
    async with embedded_hub(tmp_path / "hub.db", settings) as embedded:
        token = (await embedded.hub.principals.add("partner-cn", Role.PARTNER)).token
        app = build_http_app(SubmissionApi(embedded.hub, settings.limits.max_document_bytes))
        intake = HttpIntake("http://hub", token)
        intake._client._http = httpx.AsyncClient(  # the real app in process instead of a socket
            transport=httpx.ASGITransport(app=app), base_url="http://hub", headers=intake._client._http.headers
        )
        document = json.loads((DATA / "01-cargo-manifest-kz-cn.json").read_text(encoding="utf-8"))
        try:
            submission_id = await intake.submit("cargo-manifest", document, "XB-cn-1")
            again = await intake.submit("cargo-manifest", document, "XB-cn-1")
            view = await intake.status(submission_id)
        finally:
            await intake.close()
    assert submission_id.startswith("s_") and again == submission_id, "a resubmission is the same submission"
    assert view["submissionId"] == submission_id


def _sealer(sequence: int) -> tuple[str, dict[str, Any]]:
    envelope_id = str(uuid.uuid4())
    return envelope_id, {"envelopeId": envelope_id, "partnerSequence": sequence}


FACTS = {"submission_id": "s_1", "version": 1, "document_type": "control-result", "document_id": "CR-1", "ucr": "U1"}


async def test_an_unreceipted_envelope_is_resent_once_per_period(tmp_path: Path) -> None:
    store = await GatewayStore.open(f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}")
    try:
        sent = await store.seal_once("cn", "src-1", "document", FACTS, _sealer)
        later = utcnow() + timedelta(minutes=11)
        assert [s.envelope_id for s in await store.unreceipted("cn", later)] == [sent.envelope_id]
        await store.record_resent([sent.envelope_id], at=later)
        assert await store.unreceipted("cn", later) == [], "sent again just now: not on the next round"
        much_later = later + timedelta(minutes=11)
        assert [s.envelope_id for s in await store.unreceipted("cn", much_later)] == [sent.envelope_id]
    finally:
        await store.close()


async def test_a_store_made_before_the_resend_column_gets_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # the store as step 1 made it: outbound without last_sent_at
        old = sa.MetaData()
        for table in metadata.sorted_tables:
            columns = [c._copy() for c in table.columns if c.name != "last_sent_at"]
            sa.Table(table.name, old, *columns)
        old.create_all(conn)
        conn.execute(sa.text("INSERT INTO gateway_schema_version (version) VALUES (1)"))
    engine.dispose()
    store = await GatewayStore.open(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        sent = await store.seal_once("cn", "src-1", "document", FACTS, _sealer)
        await store.record_resent([sent.envelope_id])
    finally:
        await store.close()
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        version = conn.execute(sa.text("SELECT version FROM gateway_schema_version")).scalar()
        resent = conn.execute(sa.select(outbound.c.last_sent_at)).scalar()
    engine.dispose()
    assert version == len(STEPS) and resent is not None
