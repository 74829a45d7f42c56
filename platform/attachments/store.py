"""Attachment metadata rows and the question access control asks: does a document routed to this agency
refer to this hash? Answered from the state store (the submission versions the agency is a recipient of)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from singlewindow.platform.attachments.tables import attachment_uploads, attachments
from singlewindow.platform.errors import NotFound
from singlewindow.platform.hub.messages import rfc3339_millis
from singlewindow.platform.state.common import aware, utcnow
from singlewindow.platform.storage.tables import recipients, submission_versions


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
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


# Is there a submission version routed to :agency whose document lists :sha256 among its attachments?
_REFERRED_SQLITE = text(
    "SELECT 1 FROM recipients r JOIN submission_versions v"
    " ON v.submission_id = r.submission_id AND v.version = r.version"
    " WHERE r.recipient = :agency AND EXISTS (SELECT 1 FROM json_each(v.document, '$.attachments') a"
    " WHERE json_extract(a.value, '$.sha256') = :sha256) LIMIT 1"
)
_REFERRED_POSTGRESQL = text(
    "SELECT 1 FROM recipients r JOIN submission_versions v"
    " ON v.submission_id = r.submission_id AND v.version = r.version"
    " WHERE r.recipient = :agency AND json_typeof(v.document -> 'attachments') = 'array'"
    " AND EXISTS (SELECT 1 FROM json_array_elements(v.document -> 'attachments') a"
    " WHERE a ->> 'sha256' = :sha256) LIMIT 1"
)


class AttachmentStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def record(self, sha256: str, size: int, media_type: str, file_name: str, principal_id: str) -> bool:
        """Remember the file and its uploader; True when the content was new to the hub."""
        created = True
        async with self._engine.begin() as conn:
            try:
                async with conn.begin_nested():
                    await conn.execute(
                        insert(attachments).values(
                            sha256=sha256,
                            size_bytes=size,
                            media_type=media_type,
                            file_name=file_name,
                            uploaded_by=principal_id,
                            uploaded_at=utcnow(),
                        )
                    )
            except IntegrityError:
                created = False  # the same content is already stored (perhaps uploaded by someone else)
            await _remember_uploader(conn, sha256, principal_id, file_name)
        return created

    async def get(self, sha256: str) -> AttachmentInfo:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(attachments).where(attachments.c.sha256 == sha256))).first()
        if row is None:
            raise NotFound(f"no attachment {sha256}")
        return AttachmentInfo(
            row.sha256, row.size_bytes, row.media_type, row.file_name, row.uploaded_by, aware(row.uploaded_at)
        )

    async def uploaded_by(self, sha256: str, principal_id: str) -> bool:
        query = select(attachment_uploads.c.sha256).where(
            attachment_uploads.c.sha256 == sha256, attachment_uploads.c.principal_id == principal_id
        )
        async with self._engine.connect() as conn:
            return (await conn.execute(query)).first() is not None

    async def referred_to(self, agency: str, sha256: str) -> bool:
        async with self._engine.connect() as conn:
            query = _REFERRED_POSTGRESQL if conn.dialect.name == "postgresql" else _REFERRED_SQLITE
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


async def _remember_uploader(conn: AsyncConnection, sha256: str, principal_id: str, file_name: str) -> None:
    query = select(attachment_uploads.c.sha256).where(
        attachment_uploads.c.sha256 == sha256, attachment_uploads.c.principal_id == principal_id
    )
    if (await conn.execute(query)).first() is not None:
        return
    try:
        async with conn.begin_nested():
            await conn.execute(
                insert(attachment_uploads).values(
                    sha256=sha256, principal_id=principal_id, file_name=file_name, uploaded_at=utcnow()
                )
            )
    except IntegrityError:
        pass  # the same principal uploaded the same file concurrently: one row is enough
