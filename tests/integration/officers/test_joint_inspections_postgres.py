"""Joint inspections on PostgreSQL (row locks, BIGINT keys, booleans): migration 0008 up, a slot proposed
for two agencies' RED-channel inspections, answered and attended to COMPLETED; down to 0007 drops only the
two new tables."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import inspect, text

from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.officers import (
    JointAttendanceInput,
    JointInspections,
    JointProposalInput,
    JointResponseInput,
)
from singlewindow.platform.state import RecipientStore
from singlewindow.platform.storage import open_engine, upgrade
from singlewindow.platform.storage.migrate import _config
from tests.unit.reports.conftest import History
from tests.unit.state.test_state_store import status_message

NEW = {"joint_inspections", "joint_inspection_parties"}


def officer(agency: str) -> Principal:
    return Principal(f"p-{agency}", f"{agency}-officer", Role.OFFICER, agency, datetime(2026, 11, 1, tzinfo=UTC))


async def _check(url: str) -> None:
    engine = open_engine(url)
    try:
        await upgrade(engine)
        async with engine.begin() as conn:
            history = History(conn)
            await history.trader()
            await history.submission("S1", "U1", datetime(2026, 11, 27, 4, tzinfo=UTC), {})
            await history.recipient("S1", "customs", datetime(2026, 11, 27, 5, tzinfo=UTC))
            await history.recipient("S1", "phytosanitary", datetime(2026, 11, 27, 5, tzinfo=UTC))
            await conn.execute(
                text("UPDATE recipients SET decision_status = 'INSPECTION_REQUIRED', decision_sequence = 1,"
                     " decision = CAST(:body AS JSON) WHERE submission_id = 'S1'"),
                {"body": '{"status": "INSPECTION_REQUIRED", "channel": "RED"}'},
            )  # fmt: skip
        joint = JointInspections(engine, RecipientStore(engine, status_message))
        slot = datetime.now(UTC) + timedelta(days=1)
        proposed = await joint.propose(
            officer("customs"), JointProposalInput(submissionId="S1", slotAt=slot, place="yard")
        )
        assert [(p["agency"], p["response"]) for p in proposed["parties"]] == [
            ("customs", "ACCEPTED"), ("phytosanitary", "PENDING"),
        ]  # fmt: skip
        scheduled = await joint.respond(officer("phytosanitary"), proposed["id"], JointResponseInput(accept=True))
        assert scheduled["status"] == "SCHEDULED"
        for agency in ("customs", "phytosanitary"):
            done = await joint.attend(
                officer(agency), proposed["id"], JointAttendanceInput(attended=True, findings=agency)
            )
        assert (done["status"], done["findings"]) == ("COMPLETED", "phytosanitary")

        async with engine.begin() as conn:
            await conn.run_sync(lambda sync: command.downgrade(_config(sync), "0007"))
        async with engine.connect() as conn:
            tables = set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
        assert not NEW & tables and "officer_queue" in tables
    finally:
        await engine.dispose()


def test_joint_inspections_on_postgres(fresh_postgres_url: str) -> None:
    asyncio.run(_check(fresh_postgres_url))
