"""Small helpers every state module shares: the clock, UTC normalisation, row locks."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from singlewindow.platform.errors import NotFound
from singlewindow.platform.storage.tables import submission_versions, submissions


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes; everything the hub stores is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


async def lock_version(conn: AsyncConnection, submission_id: str, version: int) -> Row[tuple[object, ...]]:
    """Lock one submission for the rest of the transaction and read this version; every state change starts
    here. The lock is on the submission row (every writer's one lock, where its event chain's head lives),
    FOR NO KEY UPDATE so rows referring to it can still be inserted."""
    query = (
        select(submission_versions)
        .join(submissions, submissions.c.id == submission_versions.c.submission_id)
        .where(submission_versions.c.submission_id == submission_id, submission_versions.c.version == version)
    )
    row = (await conn.execute(query.with_for_update(of=submissions, key_share=True))).first()  # SQLite: a no-op
    if row is None:
        raise NotFound(f"no version {version} of submission {submission_id}")
    return row


def rfc3339_millis(at: datetime) -> str:
    """The one timestamp format of the specs: UTC, milliseconds, ``Z``."""
    at = at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
