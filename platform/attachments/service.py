"""Put and get attachments: who may upload, who may read, and the checks on what they send.

Reading is allowed to the uploader, to operators, and to an agency (its adapter or officers) only when a
submission version routed to that agency lists the hash among its ``attachments``: a hash alone is not a
capability. A refusal looks the same whether the file exists or not, so hashes cannot be probed.

The bytes are shared by hash; the metadata is not. Each reader is shown the upload it is entitled to: an
uploader its own; an agency the upload made by the declarant or the submitter of the routed document (or,
when neither uploaded the bytes, what that document itself says of the file); an operator its own or else
the first upload. Another uploader's file name, media type and time are never shown.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, Mapping
from pathlib import Path
from typing import Any

from singlewindow.platform.attachments.blobs import BlobStore, check_sha256
from singlewindow.platform.attachments.store import AttachmentInfo, AttachmentStore
from singlewindow.platform.errors import AccessDenied, InvalidInput, NotFound, Problem
from singlewindow.platform.identity import Principal, Role

MEDIA_TYPE = re.compile(r"^[a-z]+/[0-9a-z.+\-]+$")  # as the consignment's Attachment.mediaType
FILE_NAME = re.compile(r"^[^/\\\x00-\x1f]{1,255}$")  # as Attachment.fileName, without control characters
UPLOADERS = frozenset({Role.TRADER, Role.BROKER, Role.OPERATOR, Role.AGENCY, Role.OFFICER})


def media_type_of(content_type: str | None) -> str:
    value = (content_type or "").split(";", 1)[0].strip().lower()
    if not MEDIA_TYPE.match(value):
        raise InvalidInput(
            f"unsupported media type {content_type!r}", [Problem("/mediaType", "pattern", "a type/subtype")]
        )
    return value


def file_name_of(value: str | None) -> str:
    if value is None or not FILE_NAME.match(value):
        raise InvalidInput(
            "fileName is required: 1 to 255 characters, no folder", [Problem("/fileName", "pattern", "a file name")]
        )
    return value


class AttachmentService:
    """One instance per hub process, shared by the HTTP routes and gRPC."""

    def __init__(self, store: AttachmentStore, blobs: BlobStore) -> None:
        self.store = store
        self.blobs = blobs

    @property
    def max_bytes(self) -> int:
        return self.blobs.max_bytes

    async def put(
        self,
        principal: Principal,
        chunks: AsyncIterable[bytes],
        content_type: str | None,
        file_name: str | None,
        expected_sha256: str | None = None,
    ) -> tuple[AttachmentInfo, bool]:
        """Store the stream (size limit and declared hash checked while reading); (info, created)."""
        if principal.role not in UPLOADERS:
            raise AccessDenied(f"a {principal.role.value} may not upload attachments")
        media_type, name = media_type_of(content_type), file_name_of(file_name)
        blob = await self.blobs.write(chunks, expected_sha256)
        created = await self.store.record(blob.sha256, blob.size_bytes, media_type, name, principal.id)
        info = await self.store.upload(blob.sha256, principal.id)
        assert info is not None  # just recorded
        return info, created

    async def open(self, principal: Principal, sha256: str) -> tuple[AttachmentInfo, Path]:
        """The file's metadata as ``principal`` may see it, and its path, if ``principal`` may read it."""
        check_sha256(sha256)
        info = await self.info_for(principal, sha256)
        if info is None:
            raise AccessDenied(f"{principal.name} may not read attachment {sha256}")
        try:
            return info, self.blobs.require(sha256)
        except NotFound:
            raise AccessDenied(f"{principal.name} may not read attachment {sha256}") from None

    async def may_read(self, principal: Principal, sha256: str) -> bool:
        return await self.info_for(principal, sha256) is not None

    async def info_for(self, principal: Principal, sha256: str) -> AttachmentInfo | None:
        """The upload ``principal`` is entitled to see; None when it may not read the file at all."""
        own = await self.store.upload(sha256, principal.id)
        if own is not None:
            return own
        if principal.role is Role.OPERATOR:
            return await self.store.earliest_upload(sha256)
        if principal.role in (Role.AGENCY, Role.OFFICER) and principal.agency is not None:
            return await self._for_agency(principal.agency, sha256)
        return None

    async def _for_agency(self, agency: str, sha256: str) -> AttachmentInfo | None:
        referrers = await self.store.referrers(agency, sha256)
        if not referrers:
            return None
        parties = {r.declarant_id for r in referrers} | {r.created_by for r in referrers}
        upload = await self.store.latest_upload_by(sha256, parties)
        if upload is not None:
            return upload
        # Nobody on the submitting side uploaded these bytes: describe them as the newest routed document does.
        size = await self.store.size_of(sha256)
        if size is None:
            return None
        newest = referrers[0]
        listed = newest.document.get("attachments") or []
        entry = next((e for e in listed if isinstance(e, Mapping) and e.get("sha256") == sha256), {})
        media_type, file_name = str(entry.get("mediaType") or ""), str(entry.get("fileName") or "")
        return AttachmentInfo(
            sha256,
            size,
            media_type if MEDIA_TYPE.match(media_type) else "application/octet-stream",
            file_name if FILE_NAME.match(file_name) else sha256,
            newest.created_by,
            newest.created_at,
        )

    async def of_submission(self, principal: Principal, submission_id: str, version: int) -> list[Mapping[str, Any]]:
        """The ``attachments`` a submission version lists, for an agency it was routed to (the views leave
        them out, so this is how an adapter finds, say, the exporting country's ePhyto XML)."""
        if principal.role not in (Role.AGENCY, Role.OFFICER) or principal.agency is None:
            raise AccessDenied("only an agency the submission was routed to may list its attachments")
        try:
            document = await self.store.routed_document(principal.agency, submission_id, version)
        except NotFound:
            raise AccessDenied(f"version {version} of {submission_id} was not routed to {principal.agency}") from None
        listed = document.get("attachments") or []
        return [dict(entry) for entry in listed if isinstance(entry, Mapping)]
