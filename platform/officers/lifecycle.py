"""What happens to queued documents when their submission changes (issue 12): withdrawn on cancel or
supersession, replaced by a new version, reopened with the trader's answer to a query.

An unclaimed item simply leaves the queue. A claimed one stays with its officer, flagged with the reason,
so the officer learns it at the next pull instead of deciding in vain; any decision on a withdrawn item is
refused. These are statements on one connection, run inside the queue's transactions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from singlewindow.platform.errors import Conflict, NotFound
from singlewindow.platform.officers.models import Withdrawal
from singlewindow.platform.officers.tables import officer_queue
from singlewindow.platform.state.common import aware, rfc3339_millis, utcnow


def withdrawal_of(row: Any) -> Withdrawal | None:
    if row.withdrawn_at is None:
        return None
    return Withdrawal(row.withdrawn_kind, row.withdrawn_reason, aware(row.withdrawn_at), row.superseded_by)


def refusal(ticket: int, withdrawal: Withdrawal) -> Conflict:
    """Why a decision on a withdrawn item is not taken: the officer reads this as the 409's message."""
    return Conflict(f"document {ticket} was {withdrawal.kind}: {withdrawal.reason}; a decision on it is not taken")


async def withdraw(
    conn: AsyncConnection, agency: str, submission_id: str, versions: Any, kind: str, reason: str,
    superseded_by: int | None,
) -> list[int]:  # fmt: skip
    """Withdraw every not yet withdrawn item of ``versions`` (a SQL condition on the version column)."""
    where = and_(
        officer_queue.c.agency == agency,
        officer_queue.c.submission_id == submission_id,
        versions,
        officer_queue.c.withdrawn_at.is_(None),
    )
    tickets = [row.id for row in await conn.execute(select(officer_queue.c.id).where(where))]
    if tickets:
        await conn.execute(
            update(officer_queue)
            .where(officer_queue.c.id.in_(tickets))
            .values(
                withdrawn_at=utcnow(), withdrawn_kind=kind, withdrawn_reason=reason[:1000], superseded_by=superseded_by
            )
        )
    return tickets


async def add_answer(
    conn: AsyncConnection, agency: str, submission_id: str, version: int, answer: Mapping[str, Any]
) -> int:
    """Put the version's newest item back in front of the officers with the answer; its ticket.

    Idempotent on the query id: an answer already recorded changes nothing (not even a decision taken since).
    """
    row = (
        await conn.execute(
            select(officer_queue)
            .where(
                officer_queue.c.agency == agency,
                officer_queue.c.submission_id == submission_id,
                officer_queue.c.version == version,
            )
            .order_by(officer_queue.c.attempt.desc(), officer_queue.c.id.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        raise NotFound(f"version {version} of {submission_id} is not in the {agency} officer queue")
    withdrawal = withdrawal_of(row)
    if withdrawal is not None:
        raise refusal(row.id, withdrawal)
    answers = list(row.answers or [])
    if any(a.get("queryId") == answer["queryId"] for a in answers):
        return int(row.id)
    answers.append({**answer, "answeredAt": rfc3339_millis(utcnow())})
    await conn.execute(
        update(officer_queue)
        .where(officer_queue.c.id == row.id)
        .values(answers=answers, decided_at=None, claimed_by=None, claim_expires_at=None)
    )
    return int(row.id)
