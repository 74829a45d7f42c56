"""Border events: a vehicle's arrival at and exit from a crossing point, recorded by the border guard (or
customs) as ``border-event`` documents, validated against the spec, stored, and linked to the consignment
by its UCR, so the hub can tell how long a consignment spent at the border.

Recording is idempotent on ``documentId``: the same document again is the same event; a different one
under the same id is a Conflict.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from singlewindow.platform.errors import AccessDenied, Conflict, InvalidInput, NotFound
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.officers.history import BORDER_EVENT as BORDER_EVENT_KIND
from singlewindow.platform.officers.history import record_action
from singlewindow.platform.officers.tables import border_events
from singlewindow.platform.specs import DocumentValidator
from singlewindow.platform.state.common import aware, utcnow
from singlewindow.platform.state.submissions import payload_hash
from singlewindow.platform.storage.tables import submissions

BORDER_EVENT = "border-event"


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class BorderEventService:
    def __init__(self, engine: AsyncEngine, validator: DocumentValidator) -> None:
        self._engine = engine
        self._validator = validator

    async def record(self, principal: Principal, document: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
        """Store one event; (stored event, newly recorded). The caller must record in its own agency's name."""
        if principal.role not in (Role.AGENCY, Role.OFFICER) or principal.agency is None:
            raise AccessDenied("border events are recorded by an agency or its officers")
        problems = self._validator.validate(BORDER_EVENT, document)
        if problems:
            raise InvalidInput("not a valid border-event document", problems)
        if document["recordingAgency"] != principal.agency:
            raise AccessDenied(f"{principal.name} records for {principal.agency}, not {document['recordingAgency']}")
        digest = payload_hash(document)
        async with self._engine.begin() as conn:
            linked = (
                await conn.execute(
                    select(submissions.c.id, submissions.c.current_version)
                    .where(submissions.c.ucr == document["ucr"])
                    .order_by(submissions.c.created_at.desc())
                    .limit(1)
                )
            ).first()
            try:
                async with conn.begin_nested():
                    await conn.execute(
                        insert(border_events).values(
                            document_id=document["documentId"],
                            ucr=document["ucr"],
                            event_type=document["eventType"],
                            border_crossing_point=document["borderCrossingPoint"],
                            occurred_at=_instant(document["occurredAt"]),
                            recording_agency=principal.agency,
                            recorded_by=principal.id,
                            submission_id=linked.id if linked else None,
                            payload_sha256=digest,
                            document=dict(document),
                            received_at=utcnow(),
                        )
                    )
                    if linked is not None:
                        await record_action(
                            conn, linked.id, linked.current_version, principal.agency, BORDER_EVENT_KIND, principal.id,
                            {"documentId": document["documentId"], "eventType": document["eventType"],
                             "borderCrossingPoint": document["borderCrossingPoint"]},
                        )  # fmt: skip
                created = True
            except IntegrityError:
                created = False
        stored = await self.get(str(document["documentId"]))
        if not created and stored["payloadSha256"] != digest:
            raise Conflict(f"border event {document['documentId']} was already recorded with different content")
        return stored, created

    async def get(self, document_id: str) -> dict[str, Any]:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(border_events).where(border_events.c.document_id == document_id))).first()
        if row is None:
            raise NotFound(f"no border event {document_id}")
        return _event(row)

    async def of_consignment(self, principal: Principal, ucr: str) -> list[dict[str, Any]]:
        """The events of one consignment in the order they happened (agencies, officers and operators)."""
        if principal.role not in (Role.AGENCY, Role.OFFICER, Role.OPERATOR):
            raise AccessDenied("border events are read by agencies, their officers and operators")
        query = select(border_events).where(border_events.c.ucr == ucr).order_by(border_events.c.occurred_at)
        async with self._engine.connect() as conn:
            return [_event(row) for row in await conn.execute(query)]


def _event(row: Any) -> dict[str, Any]:
    return {
        "documentId": row.document_id,
        "ucr": row.ucr,
        "eventType": row.event_type,
        "borderCrossingPoint": row.border_crossing_point,
        "occurredAt": aware(row.occurred_at).isoformat(),
        "recordingAgency": row.recording_agency,
        "submissionId": row.submission_id,
        "payloadSha256": row.payload_sha256,
        "document": row.document,
    }
