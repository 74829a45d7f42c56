"""A hand-made event history written straight into the hub's tables, so every expected figure can be
worked out by hand: every timestamp is chosen, nothing runs in between. The study's consignments:

S1 (U1): lodged 27 Nov 04:00 before its truck arrived at Nur Zholy (KZNZH) 04:30; customs GREEN 05:00,
         phytosanitary 05:30, cleared 05:30, exit 06:30.
S2 (U2): arrived KZNZH 27 Nov 08:00, lodged 08:20; customs RED 09:00, veterinary 10:20, customs accepts
         after the inspection 11:20, cleared 11:20; no exit yet.
S3 (U3): arrived Dostyk (KZDOS) 28 Nov 10:00, lodged 10:10; customs YELLOW 10:30, accepts 12:10, cleared
         12:10, exit 13:10; a partner's acceptance does not count as an agency's release.
S4 (U4): lodged 28 Nov 12:00, no arrival; customs has not decided (an officer queue item waits), veterinary
         asked a question; S4b is U4's goods declaration, lodged 12:05, nothing decided.
S5 (U5): lodged 2 Dec, outside November; cleared GREEN. A decision on a cancelled version is not counted.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from singlewindow.platform.officers.tables import border_events, officer_queue
from singlewindow.platform.storage import open_engine, upgrade
from singlewindow.platform.storage.tables import (
    events,
    principals,
    recipients,
    submission_versions,
    submissions,
    terminal_statuses,
)

TRADER = "p-trader"


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


class History:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def trader(self) -> None:
        await self._conn.execute(
            insert(principals).values(id=TRADER, name="trader", role="trader", agency=None, created_at=at(1, 0))
        )

    async def submission(
        self, sid: str, ucr: str, lodged: datetime, document: Mapping[str, Any], *,
        document_type: str = "consignment", status: str = "UNDER_REVIEW",
    ) -> None:  # fmt: skip
        await self._conn.execute(
            insert(submissions).values(
                id=sid,
                declarant_id=TRADER,
                trader_reference=sid,
                document_type=document_type,
                ucr=ucr,
                current_version=1,
                created_at=lodged,
            )
        )
        await self._conn.execute(
            insert(submission_versions).values(
                submission_id=sid,
                version=1,
                document=dict(document),
                payload_sha256="0" * 64,
                status=status,
                status_sequence=2,
                routed=True,
                cancelled=False,
                created_by=TRADER,
                created_at=lodged,
                updated_at=lodged,
            )
        )
        await self._event(sid, "SUBMITTED", lodged, status="RECEIVED")

    async def recipient(
        self, sid: str, name: str, since: datetime, *, kind: str = "AGENCY", decision: str | None = None,
        transport: str = "DELIVERED",
    ) -> None:  # fmt: skip
        await self._conn.execute(
            insert(recipients).values(
                submission_id=sid,
                version=1,
                recipient=name,
                kind=kind,
                view=f"view-{name}",
                matched_rules=[],
                transport=transport,
                attempt=1,
                decision_status=decision,
                decision_sequence=1 if decision else None,
                decision=None,
                deadline_at=at(30, 0),
                updated_at=since,
            )
        )

    async def decision(
        self, sid: str, agency: str, status: str, when: datetime, channel: str | None = None,
        not_applied: str | None = None,
    ) -> None:  # fmt: skip
        document = {"agency": agency, "status": status, **({"channel": channel} if channel else {})}
        detail = {"decision": document, "late_after_terminal": False, "message_id": f"{sid}.{agency}.{when}"}
        await self._event(
            sid,
            "DECISION",
            when,
            recipient=agency,
            status=status,
            detail={**detail, **({"not_applied": not_applied} if not_applied else {})},
        )

    async def cleared(self, sid: str, when: datetime) -> None:
        await self._conn.execute(
            insert(terminal_statuses).values(
                submission_id=sid, version=1, status="CLEARED", message_id=f"{sid}.v1.terminal", recorded_at=when
            )
        )
        await self._event(sid, "STATUS_CHANGED", when, status="CLEARED", detail={"terminal": True})

    async def border(self, document_id: str, ucr: str, kind: str, crossing_point: str, when: datetime) -> None:
        await self._conn.execute(
            insert(border_events).values(
                document_id=document_id,
                ucr=ucr,
                event_type=kind,
                border_crossing_point=crossing_point,
                occurred_at=when,
                recording_agency="border-guard",
                recorded_by="p-guard",
                submission_id=None,
                payload_sha256="0" * 64,
                document={},
                received_at=when,
            )
        )

    async def queued(self, agency: str, sid: str, when: datetime, claimed_until: datetime | None = None) -> None:
        await self._conn.execute(
            insert(officer_queue).values(
                agency=agency,
                submission_id=sid,
                version=1,
                attempt=1,
                ucr=sid,
                view=f"view-{agency}",
                document={},
                enqueued_by="p-adapter",
                enqueued_at=when,
                claimed_by="p-officer" if claimed_until else None,
                claim_expires_at=claimed_until,
            )
        )

    async def _event(
        self, sid: str, kind: str, when: datetime, *, recipient: str | None = None, status: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:  # fmt: skip
        await self._conn.execute(
            insert(events).values(
                submission_id=sid,
                version=1,
                kind=kind,
                actor="p-x",
                recipient=recipient,
                status=status,
                detail=dict(detail or {}),
                at=when,
            )
        )


def item(hs: str, net: str, value: str | None, origin: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"commodityCode": {"hsCode": hs}, "netMassKg": net}
    if value is not None:
        found["statisticalValue"] = {"amount": value, "currency": "USD"}
    if origin is not None:
        found["originCountry"] = origin
    return found


def document(direction: str | None, export: str, destination: str, *items: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {"exportCountry": export, "destinationCountry": destination, "goodsItems": list(items)}
    if direction is not None:
        found["procedure"] = {"direction": direction}
    return found


async def write_history(h: History) -> None:
    await h.trader()
    await h.submission(
        "S1",
        "U1",
        at(27, 4),
        document("IM", "CN", "KZ", item("080810", "20000.000", "16000.00", "CN"), item("081310", "500.500", "1200.50")),
        status="CLEARED",
    )
    await h.border("B1A", "U1", "ARRIVAL", "KZNZH", at(27, 4, 30))
    await h.recipient("S1", "customs", at(27, 5), decision="ACCEPTED")
    await h.recipient("S1", "phytosanitary", at(27, 5, 30), decision="ACCEPTED")
    await h.decision("S1", "customs", "ACCEPTED", at(27, 5), channel="GREEN")
    await h.decision("S1", "phytosanitary", "ACCEPTED", at(27, 5, 30))
    await h.cleared("S1", at(27, 5, 30))
    await h.border("B1E", "U1", "EXIT", "KZNZH", at(27, 6, 30))

    await h.border("B2A", "U2", "ARRIVAL", "KZNZH", at(27, 8))
    await h.submission(
        "S2",
        "U2",
        at(27, 8, 20),
        document(None, "KG", "KZ", item("020230", "18000.000", "79200.00", "KG")),
        status="CLEARED",
    )
    await h.recipient("S2", "customs", at(27, 11, 20), decision="ACCEPTED")
    await h.recipient("S2", "veterinary", at(27, 10, 20), decision="ACCEPTED")
    await h.decision("S2", "customs", "INSPECTION_REQUIRED", at(27, 9), channel="RED")
    await h.decision("S2", "veterinary", "ACCEPTED", at(27, 10, 20))
    await h.decision("S2", "customs", "ACCEPTED", at(27, 11, 20))
    await h.cleared("S2", at(27, 11, 20))

    await h.border("B3A", "U3", "ARRIVAL", "KZDOS", at(28, 10))
    await h.submission(
        "S3",
        "U3",
        at(28, 10, 10),
        document("IM", "CN", "KZ", item("847130", "4800.000", "240000.00", "CN")),
        status="CLEARED",
    )
    await h.recipient("S3", "customs", at(28, 12, 10), decision="ACCEPTED")
    await h.recipient("S3", "cn", at(28, 10, 20), kind="PARTNER", decision="ACCEPTED")
    await h.decision("S3", "cn", "ACCEPTED", at(28, 10, 20))
    await h.decision("S3", "customs", "INSPECTION_REQUIRED", at(28, 10, 30), channel="YELLOW")
    await h.decision("S3", "customs", "ACCEPTED", at(28, 12, 10))
    await h.cleared("S3", at(28, 12, 10))
    await h.border("B3E", "U3", "EXIT", "KZDOS", at(28, 13, 10))

    await h.submission("S4", "U4", at(28, 12), document("EK", "KZ", "CN", item("100199", "60000.000", "15000.00")))
    await h.recipient("S4", "customs", at(28, 12, 1))
    await h.recipient("S4", "veterinary", at(28, 12, 30), decision="QUERY")
    await h.decision("S4", "veterinary", "QUERY", at(28, 12, 30))
    await h.queued("customs", "S4", at(28, 12, 2))
    await h.queued("border-guard", "S4", at(28, 12, 2), claimed_until=at(1, 0, month=12).replace(year=2099))
    await h.submission(
        "S4b",
        "U4",
        at(28, 12, 5),
        document("EK", "KZ", "CN", item("100199", "65000.000", "16250.00", "KZ"), item("100390", "1000.000", None)),
        document_type="goods-declaration",
    )

    await h.submission(
        "S5", "U5", at(2, 9, month=12), document("IM", "CN", "KZ", item("080810", "1.000", "1.00")), status="CLEARED"
    )
    await h.recipient("S5", "customs", at(2, 9, 30, month=12), decision="ACCEPTED")
    await h.decision("S5", "customs", "ACCEPTED", at(2, 9, 30, month=12), channel="GREEN")
    await h.decision("S5", "customs", "INSPECTION_REQUIRED", at(2, 9, 40, month=12), "RED", not_applied="cancelled")
    await h.cleared("S5", at(2, 9, 30, month=12))


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = open_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    await upgrade(engine)
    async with engine.begin() as conn:
        await write_history(History(conn))
    try:
        yield engine
    finally:
        await engine.dispose()
