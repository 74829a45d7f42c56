"""Attachments: files stored by SHA-256 outside the broker, with their metadata and access rules."""

from singlewindow.platform.attachments.blobs import BlobStore, StoredBlob, check_sha256
from singlewindow.platform.attachments.service import AttachmentService
from singlewindow.platform.attachments.store import AttachmentInfo, AttachmentStore

__all__ = ["AttachmentInfo", "AttachmentService", "AttachmentStore", "BlobStore", "StoredBlob", "check_sha256"]
