"""Joint (one-stop) inspections: when two or more agencies require a physical inspection of one consignment
on the RED channel, one slot is proposed to all of them, each agency accepts or declines it, and each
records whether its officer attended and its own findings.

An officer proposes the slot (the hub does not): the hub knows who must inspect but not when the yard, the
scanner and the officers are free, and an officer may wait for a late agency's decision before proposing.
The slot is PROPOSED until every agency accepted (SCHEDULED) or one declined (DECLINED: another may be
proposed), and COMPLETED once every agency recorded its attendance.

Each agency reads the inspections it is a party to: the slot, who takes part and each one's answer and
attendance, but only its own findings, and never another agency's decision reasons or risk criteria. Every
action is in the submission's history with the acting principal's id (shared among the agencies).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from singlewindow.platform.aggregation import DecisionStatus
from singlewindow.platform.errors import AccessDenied, Conflict, InvalidInput, NotFound, Problem
from singlewindow.platform.identity import Principal, Role
from singlewindow.platform.officers import history
from singlewindow.platform.officers.joint_models import (
    ACCEPTED,
    COMPLETED,
    DECLINED,
    OPEN,
    PENDING,
    PROPOSED,
    SCHEDULED,
    JointAttendanceInput,
    JointProposalInput,
    JointResponseInput,
)
from singlewindow.platform.officers.joint_tables import joint_inspection_parties as parties
from singlewindow.platform.officers.joint_tables import joint_inspections as inspections
from singlewindow.platform.state import RecipientStore
from singlewindow.platform.state.common import aware, lock_version, rfc3339_millis, utcnow
from singlewindow.platform.storage.tables import submissions

MAX_LISTED = 200


def party_agency(principal: Principal) -> str:
    """Agencies take part through their officers (the console) or their adapters (their own systems)."""
    if principal.role not in (Role.OFFICER, Role.AGENCY) or principal.agency is None:
        raise AccessDenied(f"joint inspections are for agencies and their officers; {principal.name} is neither")
    return principal.agency


class JointInspections:
    def __init__(self, engine: AsyncEngine, recipients: RecipientStore) -> None:
        self._engine = engine
        self._recipients = recipients

    async def propose(self, principal: Principal, proposal: JointProposalInput) -> dict[str, Any]:
        agency = party_agency(principal)
        if proposal.slotAt <= utcnow():
            raise InvalidInput("the slot must be in the future", [Problem("/slotAt", "minimum", "a future time")])
        async with self._engine.connect() as conn:
            head = (
                await conn.execute(
                    select(submissions.c.current_version, submissions.c.ucr).where(
                        submissions.c.id == proposal.submissionId
                    )
                )
            ).first()
        if head is None:
            raise NotFound(f"no submission {proposal.submissionId}")
        inspecting = await self._inspecting(agency, proposal.submissionId, head.current_version)
        now = utcnow()
        async with self._engine.begin() as conn:
            await lock_version(conn, proposal.submissionId, head.current_version)
            await _refuse_a_second_open(conn, proposal.submissionId, head.current_version)
            result = await conn.execute(
                insert(inspections).values(
                    submission_id=proposal.submissionId, version=head.current_version, ucr=head.ucr,
                    slot_at=proposal.slotAt, place=proposal.place, status=PROPOSED, proposing_agency=agency,
                    proposed_by=principal.id, proposed_at=now,
                )
            )  # fmt: skip
            inspection_id = int(result.inserted_primary_key[0])  # type: ignore[index]
            await conn.execute(
                insert(parties),
                [
                    _new_party(inspection_id, party, principal.id if party == agency else None, now)
                    for party in inspecting
                ],
            )
            await history.record_action(
                conn, proposal.submissionId, head.current_version, agency, history.JOINT_PROPOSED, principal.id,
                {"inspection": inspection_id, "slotAt": rfc3339_millis(proposal.slotAt), "place": proposal.place,
                 "agencies": list(inspecting)},
            )  # fmt: skip
        return await self.get(principal, inspection_id)

    async def _inspecting(self, agency: str, submission_id: str, version: int) -> list[str]:
        """The agencies whose current decision on the version is a RED-channel inspection, the caller among
        them; NotFound when the version was not routed to the caller (it must not learn the submission)."""
        states = [state for state, detail in await self._recipients.states(submission_id, version)
                  if detail["kind"] == "AGENCY"]  # fmt: skip
        if agency not in {state.recipient for state in states}:
            raise NotFound(f"no submission {submission_id}")
        red = sorted(
            state.recipient
            for state in states
            if state.decision is not None
            and state.decision.status is DecisionStatus.INSPECTION_REQUIRED
            and state.decision.channel == "RED"
        )
        if agency not in red:
            raise Conflict(f"{agency} does not require a RED-channel inspection of version {version}")
        if len(red) < 2:
            raise Conflict(f"a joint inspection needs two or more agencies requiring a RED-channel inspection; "
                           f"version {version} has only {agency}")  # fmt: skip
        return red

    async def respond(self, principal: Principal, inspection_id: int, answer: JointResponseInput) -> dict[str, Any]:
        agency = party_agency(principal)
        async with self._engine.begin() as conn:
            head, party = await _locked(conn, agency, inspection_id)
            if head.status != PROPOSED:
                raise Conflict(f"joint inspection {inspection_id} is {head.status}; answers are closed")
            if party.response != PENDING:
                raise Conflict(f"{agency} already answered joint inspection {inspection_id}: {party.response}")
            response = ACCEPTED if answer.accept else DECLINED
            await conn.execute(
                _party(inspection_id, agency).values(
                    response=response, responded_by=principal.id, responded_at=utcnow(), decline_reason=answer.reason
                )
            )
            responses = [row.response for row in await conn.execute(_parties_of([inspection_id]))]
            status = DECLINED if DECLINED in responses else SCHEDULED if set(responses) == {ACCEPTED} else PROPOSED
            await _set_status(conn, inspection_id, status)
            kind = history.JOINT_ACCEPTED if answer.accept else history.JOINT_DECLINED
            detail = {
                "inspection": inspection_id,
                "status": status,
                **({"reason": answer.reason} if answer.reason else {}),
            }
            await history.record_action(conn, head.submission_id, head.version, agency, kind, principal.id, detail)
        return await self.get(principal, inspection_id)

    async def attend(
        self, principal: Principal, inspection_id: int, attendance: JointAttendanceInput
    ) -> dict[str, Any]:
        agency = party_agency(principal)
        async with self._engine.begin() as conn:
            head, party = await _locked(conn, agency, inspection_id)
            if head.status != SCHEDULED:
                raise Conflict(
                    f"joint inspection {inspection_id} is {head.status}; attendance is recorded once it is SCHEDULED"
                )
            if party.attended is not None:
                raise Conflict(f"{agency} already recorded its attendance of joint inspection {inspection_id}")
            await conn.execute(
                _party(inspection_id, agency).values(
                    attended=attendance.attended, findings=attendance.findings or None,
                    compliant=attendance.compliant, attendance_by=principal.id, attendance_at=utcnow(),
                )
            )  # fmt: skip
            recorded = [row.attended for row in await conn.execute(_parties_of([inspection_id]))]
            status = COMPLETED if None not in recorded else SCHEDULED
            await _set_status(conn, inspection_id, status)
            await history.record_action(
                conn, head.submission_id, head.version, agency, history.JOINT_ATTENDED, principal.id,
                {"inspection": inspection_id, "attended": attendance.attended, "status": status},
            )  # fmt: skip
        return await self.get(principal, inspection_id)

    async def get(self, principal: Principal, inspection_id: int) -> dict[str, Any]:
        agency = party_agency(principal)
        listed = await self._listed(agency, inspections.c.id == inspection_id)
        if not listed:
            raise NotFound(f"no joint inspection {inspection_id}")
        return listed[0]

    async def of_agency(self, principal: Principal, submission_id: str | None = None) -> list[dict[str, Any]]:
        """The caller's agency's inspections of one submission, or all its open ones (PROPOSED, SCHEDULED)."""
        agency = party_agency(principal)
        where = inspections.c.submission_id == submission_id if submission_id else inspections.c.status.in_(OPEN)
        return await self._listed(agency, where)

    async def _listed(self, agency: str, where: Any) -> list[dict[str, Any]]:
        mine = select(parties.c.inspection_id).where(parties.c.agency == agency)
        query = (
            select(inspections).where(where, inspections.c.id.in_(mine)).order_by(inspections.c.id).limit(MAX_LISTED)
        )
        async with self._engine.connect() as conn:
            heads = list(await conn.execute(query))
            rows = list(await conn.execute(_parties_of([head.id for head in heads]))) if heads else []
        return [_inspection(head, [row for row in rows if row.inspection_id == head.id], agency) for head in heads]


async def propose_for_hub(
    conn: AsyncConnection, submission_id: str, version: int, ucr: str, agencies: Sequence[str], slot_at: datetime,
    place: str, proposer: str,
) -> int | None:  # fmt: skip
    """A slot the hub itself proposes (risk outcomes of two or more agencies require a physical inspection),
    in the caller's transaction after its events: every agency is asked, none pre-accepted. None (nothing
    written) when the version already has an inspection, so a retried routing proposes once."""
    existing = select(inspections.c.id).where(inspections.c.submission_id == submission_id,
                                              inspections.c.version == version)  # fmt: skip
    if (await conn.execute(existing)).first() is not None:
        return None
    now = utcnow()
    result = await conn.execute(
        insert(inspections).values(
            submission_id=submission_id, version=version, ucr=ucr, slot_at=slot_at, place=place, status=PROPOSED,
            proposing_agency=proposer, proposed_by=proposer, proposed_at=now,
        )
    )  # fmt: skip
    inspection_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    await conn.execute(insert(parties), [_new_party(inspection_id, party, None, now) for party in sorted(agencies)])
    await history.record_action(
        conn, submission_id, version, proposer, history.JOINT_PROPOSED, proposer,
        {"inspection": inspection_id, "slotAt": rfc3339_millis(slot_at), "place": place, "agencies": sorted(agencies)},
    )  # fmt: skip
    return inspection_id


async def _refuse_a_second_open(conn: AsyncConnection, submission_id: str, version: int) -> None:
    query = select(inspections.c.id, inspections.c.status).where(
        inspections.c.submission_id == submission_id,
        inspections.c.version == version,
        inspections.c.status.in_(OPEN),
    )
    existing = (await conn.execute(query)).first()
    if existing is not None:
        raise Conflict(f"joint inspection {existing.id} of this version is already {existing.status}")


async def _locked(conn: AsyncConnection, agency: str, inspection_id: int) -> tuple[Any, Any]:
    """The inspection (locked) and the caller's party row; NotFound when the agency is not a party."""
    head = (await conn.execute(select(inspections).where(inspections.c.id == inspection_id).with_for_update())).first()
    party = (
        await conn.execute(select(parties).where(parties.c.inspection_id == inspection_id, parties.c.agency == agency))
    ).first()
    if head is None or party is None:
        raise NotFound(f"no joint inspection {inspection_id}")
    return head, party


def _new_party(inspection_id: int, agency: str, proposer: str | None, now: datetime) -> dict[str, Any]:
    """A party's row as proposed: the proposer's own agency has taken its slot, the others are asked."""
    return {
        "inspection_id": inspection_id,
        "agency": agency,
        "response": ACCEPTED if proposer else PENDING,
        "responded_by": proposer,
        "responded_at": now if proposer else None,
    }


def _party(inspection_id: int, agency: str) -> Any:
    return update(parties).where(parties.c.inspection_id == inspection_id, parties.c.agency == agency)


def _parties_of(inspection_ids: Sequence[int]) -> Any:
    return select(parties).where(parties.c.inspection_id.in_(inspection_ids)).order_by(parties.c.agency)


async def _set_status(conn: AsyncConnection, inspection_id: int, status: str) -> None:
    await conn.execute(update(inspections).where(inspections.c.id == inspection_id).values(status=status))


def _inspection(head: Any, rows: Sequence[Any], agency: str) -> dict[str, Any]:
    """As ``agency`` reads it: every party's answer and attendance, its own findings only."""
    own = next(row for row in rows if row.agency == agency)
    return {
        "id": head.id,
        "submissionId": head.submission_id,
        "version": head.version,
        "ucr": head.ucr,
        "slotAt": rfc3339_millis(aware(head.slot_at)),
        "place": head.place,
        "status": head.status,
        "proposingAgency": head.proposing_agency,
        "proposedAt": rfc3339_millis(aware(head.proposed_at)),
        "parties": [
            {
                "agency": row.agency,
                "response": row.response,
                "declineReason": row.decline_reason,
                "attended": row.attended,
            }
            for row in rows
        ],
        "agency": agency,
        "findings": own.findings,
        "compliant": own.compliant,
    }
