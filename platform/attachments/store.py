"""Attachment rows: the stored contents, every upload of them with its own metadata, and the question access
control asks: which documents routed to this agency refer to this hash, and who submitted them? Answered
from the state store (the submission versions the agency is a recipient of)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, String, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import Select, TextClause

from singlewindow.platform.attachments.tables import attachment_uploads, attachments
from singlewindow.platform.errors import NotFound
from singlewindow.platform.state.common import aware, rfc3339_millis, utcnow
from singlewindow.platform.storage.tables import recipients, submission_versions


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
    """One upload's view of a file: the content's hash and size, the uploader's name, type and time."""

    sha256: str
    size_bytes: int
    media_type: str
    file_name: str
    uploaded_by: str
    uploaded_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "sizeBytes": self.size_bytes,
            "mediaType": self.media_type,
            "fileName": self.file_name,
            "uploadedAt": rfc3339_millis(self.uploaded_at),
        }


@dataclass(frozen=True, slots=True)
class Referrer:
    """A submission version routed to an agency that lists a hash: who it belongs to and who wrote it."""

    declarant_id: str
    created_by: str
    created_at: datetime
    document: Mapping[str, Any]


# Submission versions routed to :agency whose document lists :sha256 among its attachments, newest first.
_ROUTED = (
    " FROM recipients r JOIN submission_versions v"
    " ON v.submission_id = r.submission_id AND v.version = r.version"
    " JOIN submissions s ON s.id = v.submission_id WHERE r.recipient = :agency AND "
)
_LISTS_SQLITE = (
    "EXISTS (SELECT 1 FROM json_each(v.document, '$.attachments') a WHERE json_extract(a.value, '$.sha256') = :sha256)"
)
_LISTS_POSTGRESQL = (
    "json_typeof(v.document -> 'attachments') = 'array' AND EXISTS (SELECT 1 FROM"
    " json_array_elements(v.document -> 'attachments') a WHERE a ->> 'sha256' = :sha256)"
)
_REFERRER_COLUMNS = "SELECT s.declarant_id, v.created_by, v.created_at, v.document"
MAX_REFERRERS = 50


def _referrers_sql(dialect: str, columns: str, limit: int) -> TextClause:
    lists = _LISTS_POSTGRESQL if dialect == "postgresql" else _LISTS_SQLITE
    return text(f"{columns}{_ROUTED}{lists} ORDER BY v.created_at DESC LIMIT {int(limit)}")


def _uploads() -> Select[Any]:
    return select(
        attachment_uploads.c.sha256,
        attachments.c.size_bytes,
        attachment_uploads.c.media_type,
        attachment_uploads.c.file_name,
        attachment_uploads.c.principal_id,
        attachment_uploads.c.uploaded_at,
    ).join(attachments, attachments.c.sha256 == attachment_uploads.c.sha256)


def _info(row: Any) -> AttachmentInfo:
    return AttachmentInfo(
        row.sha256, row.size_bytes, row.media_type, row.file_name, row.principal_id, aware(row.uploaded_at)
    )


class AttachmentStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def record(self, sha256: str, size: int, media_type: str, file_name: str, principal_id: str) -> bool:
        """Remember the content (once) and this principal's upload of it, with this upload's metadata (a
        repeated upload by the same principal replaces its own). True when the upload is new to this
        principal: whether anyone else holds the same bytes is never told."""
        now = utcnow()
        async with self._engine.begin() as conn:
            try:
                async with conn.begin_nested():
                    await conn.execute(insert(attachments).values(sha256=sha256, size_bytes=size, stored_at=now))
            except IntegrityError:
                pass  # the same content is already stored (perhaps uploaded by someone else)
            metadata = {"media_type": media_type, "file_name": file_name, "uploaded_at": now}
            try:
                async with conn.begin_nested():
                    await conn.execute(
                        insert(attachment_uploads).values(sha256=sha256, principal_id=principal_id, **metadata)
                    )
                return True
            except IntegrityError:
                await conn.execute(
                    update(attachment_uploads)
                    .where(attachment_uploads.c.sha256 == sha256, attachment_uploads.c.principal_id == principal_id)
                    .values(**metadata)
                )
                return False

    async def upload(self, sha256: str, principal_id: str) -> AttachmentInfo | None:
        """This principal's own upload of the content, if it made one."""
        query = _uploads().where(
            attachment_uploads.c.sha256 == sha256, attachment_uploads.c.principal_id == principal_id
        )
        return await self._one(query)

    async def latest_upload_by(self, sha256: str, principal_ids: Collection[str]) -> AttachmentInfo | None:
        """The most recent upload of the content by any of ``principal_ids``."""
        if not principal_ids:
            return None
        query = (
            _uploads()
            .where(attachment_uploads.c.sha256 == sha256, attachment_uploads.c.principal_id.in_(list(principal_ids)))
            .order_by(attachment_uploads.c.uploaded_at.desc(), attachment_uploads.c.principal_id)
            .limit(1)
        )
        return await self._one(query)

    async def earliest_upload(self, sha256: str) -> AttachmentInfo | None:
        query = (
            _uploads()
            .where(attachment_uploads.c.sha256 == sha256)
            .order_by(attachment_uploads.c.uploaded_at, attachment_uploads.c.principal_id)
            .limit(1)
        )
        return await self._one(query)

    async def size_of(self, sha256: str) -> int | None:
        async with self._engine.connect() as conn:
            size = (await conn.execute(select(attachments.c.size_bytes).where(attachments.c.sha256 == sha256))).first()
        return None if size is None else int(size[0])

    async def referrers(self, agency: str, sha256: str) -> list[Referrer]:
        """Submission versions routed to ``agency`` that list ``sha256``, newest first (at most 50)."""
        async with self._engine.connect() as conn:
            query = _referrers_sql(conn.dialect.name, _REFERRER_COLUMNS, MAX_REFERRERS).columns(
                declarant_id=String(), created_by=String(), created_at=DateTime(timezone=True), document=JSON()
            )
            rows = await conn.execute(query, {"agency": agency, "sha256": sha256})
            return [Referrer(r.declarant_id, r.created_by, aware(r.created_at), r.document) for r in rows]

    async def referred_to(self, agency: str, sha256: str) -> bool:
        async with self._engine.connect() as conn:
            query = _referrers_sql(conn.dialect.name, "SELECT 1", 1)
            return (await conn.execute(query, {"agency": agency, "sha256": sha256})).first() is not None

    async def routed_document(self, agency: str, submission_id: str, version: int) -> Mapping[str, Any]:
        """The submission document of a version routed to ``agency``; NotFound otherwise (ids cannot be probed)."""
        query = (
            select(submission_versions.c.document)
            .join(
                recipients,
                (recipients.c.submission_id == submission_versions.c.submission_id)
                & (recipients.c.version == submission_versions.c.version),
            )
            .where(
                submission_versions.c.submission_id == submission_id,
                submission_versions.c.version == version,
                recipients.c.recipient == agency,
            )
        )
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            raise NotFound(f"no version {version} of submission {submission_id} was routed to {agency}")
        document: Mapping[str, Any] = row.document
        return document

    async def _one(self, query: Select[Any]) -> AttachmentInfo | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else _info(row)
