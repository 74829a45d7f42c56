"""Put and get attachments: who may upload, who may read, and the checks on what they send.

Reading is allowed to the uploader, to operators, and to an agency (its adapter or officers) only when a
submission version routed to that agency lists the hash among its ``attachments``: a hash alone is not a
capability. A refusal looks the same whether the file exists or not, so hashes cannot be probed.
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
        return await self.store.get(blob.sha256), created

    async def open(self, principal: Principal, sha256: str) -> tuple[AttachmentInfo, Path]:
        """The file's metadata and path, if ``principal`` may read it."""
        check_sha256(sha256)
        if not await self.may_read(principal, sha256):
            raise AccessDenied(f"{principal.name} may not read attachment {sha256}")
        try:
            info = await self.store.get(sha256)
        except NotFound:
            raise AccessDenied(f"{principal.name} may not read attachment {sha256}") from None
        return info, self.blobs.require(sha256)

    async def may_read(self, principal: Principal, sha256: str) -> bool:
        if principal.role is Role.OPERATOR or await self.store.uploaded_by(sha256, principal.id):
            return True
        if principal.role in (Role.AGENCY, Role.OFFICER) and principal.agency is not None:
            return await self.store.referred_to(principal.agency, sha256)
        return False

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
