"""The trader's record from the hub's own tables (submissions, DECISION events, joint-inspection findings
marked not compliant), AEO authorisations, and partners' control results for a consignment."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.errors import Conflict, NotFound
from singlewindow.platform.officers.joint_tables import joint_inspection_parties, joint_inspections
from singlewindow.platform.risk import AeoRegister
from singlewindow.platform.risk.aeo import is_aeo
from singlewindow.platform.risk.history import partner_findings, trader_history
from singlewindow.platform.storage.tables import principals, submission_versions, submissions
from tests.unit.reports.conftest import TRADER, History

NOW = datetime(2026, 12, 1, tzinfo=UTC)


async def _records(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        history = History(conn)
        await history.trader()
        await history.submission("OLD", "U0", datetime(2025, 6, 1, tzinfo=UTC), {})
        await history.decision("OLD", "customs", "REJECTED", datetime(2025, 6, 1, 5, tzinfo=UTC))
        await history.submission("S1", "U1", datetime(2026, 11, 20, tzinfo=UTC), {})
        await history.decision("S1", "customs", "INSPECTION_REQUIRED", datetime(2026, 11, 20, 5, tzinfo=UTC), "RED")
        await history.decision("S1", "veterinary", "REJECTED", datetime(2026, 11, 20, 6, tzinfo=UTC))
        await history.decision("S1", "sanitary", "ACCEPTED", datetime(2026, 11, 20, 6, tzinfo=UTC))
        await history.submission("NOW", "U2", NOW, {})  # the one being assessed: never counted
        await history.decision("NOW", "customs", "REJECTED", NOW)
        inspection = await conn.execute(
            insert(joint_inspections).values(
                submission_id="S1", version=1, ucr="U1", slot_at=NOW, place="KZNZH", status="COMPLETED",
                proposing_agency="hub", proposed_by="hub", proposed_at=datetime(2026, 11, 20, tzinfo=UTC),
            )
        )  # fmt: skip
        inspection_id = inspection.inserted_primary_key[0]  # type: ignore[index]
        for agency, compliant in (("customs", True), ("veterinary", False)):
            await conn.execute(
                insert(joint_inspection_parties).values(
                    inspection_id=inspection_id, agency=agency, response="ACCEPTED", attended=True,
                    findings="...", compliant=compliant, attendance_at=datetime(2026, 11, 21, tzinfo=UTC),
                )
            )  # fmt: skip


async def test_counts_per_window_from_the_hubs_own_records(engine: AsyncEngine) -> None:
    await _records(engine)
    async with engine.connect() as conn:
        found = await trader_history(conn, TRADER, "NOW", [30, 365, 3650], NOW)
        stranger = await trader_history(conn, "p-somebody-else", "X", [365], NOW)
    assert found[30].as_dict() == {"withinDays": 30, "submissions": 1, "rejections": 1, "inspections": 1,
                                   "negativeFindings": 1}  # fmt: skip
    assert (found[3650].submissions, found[3650].rejections) == (2, 2)  # the 2025 rejection too
    assert found[365].submissions == 1 and found[365].rejections == 1  # June 2025 is outside the year
    assert stranger[365].submissions == 0  # an unknown trader


async def test_aeo_authorisations_are_valid_until_their_expiry(engine: AsyncEngine) -> None:
    register = AeoRegister(engine)
    await register.add(TRADER, "KZ-AEO-0001", datetime(2026, 12, 31, tzinfo=UTC))
    with pytest.raises(Conflict):
        await register.add(TRADER, "KZ-AEO-0001", datetime(2027, 12, 31, tzinfo=UTC))
    async with engine.connect() as conn:
        assert await is_aeo(conn, TRADER, NOW)
        assert not await is_aeo(conn, TRADER, datetime(2027, 1, 1, tzinfo=UTC))
        assert not await is_aeo(conn, "p-other", NOW)
    assert [row["number"] for row in await register.listing()] == ["KZ-AEO-0001"]
    await register.remove(TRADER, "KZ-AEO-0001")
    with pytest.raises(NotFound):
        await register.remove(TRADER, "KZ-AEO-0001")


async def test_partner_findings_are_not_satisfactory_control_results_a_partner_sent(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            insert(principals),
            [{"id": "p-cn", "name": "partner-cn", "role": "partner", "created_at": NOW},
             {"id": "p-t", "name": "trader-x", "role": "trader", "created_at": NOW}],
        )  # fmt: skip
        for sid, declarant, result, agency in (
            ("C1", "p-cn", "NOT_SATISFACTORY", "phytosanitary"),
            ("C2", "p-cn", "SATISFACTORY", "customs"),
            ("C3", "p-t", "NOT_SATISFACTORY", "customs"),  # not a partner: a trader cannot plant a finding
        ):
            await conn.execute(
                insert(submissions).values(
                    id=sid, declarant_id=declarant, trader_reference=sid, document_type="control-result",
                    ucr="UCR-1", current_version=1, created_at=NOW,
                )
            )  # fmt: skip
            await conn.execute(
                insert(submission_versions).values(
                    submission_id=sid, version=1, document={"result": result, "controllingAgency": agency},
                    payload_sha256="0" * 64, status="UNDER_REVIEW", status_sequence=1, routed=True, cancelled=False,
                    created_by=declarant, created_at=NOW, updated_at=NOW,
                )
            )  # fmt: skip
    async with engine.connect() as conn:
        assert await partner_findings(conn, "UCR-1") == frozenset({"phytosanitary"})
        assert await partner_findings(conn, "UCR-2") == frozenset()
