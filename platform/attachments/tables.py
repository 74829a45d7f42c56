"""The attachment store's tables, on the hub's one MetaData: file metadata and who uploaded each file.

The bytes live on disk under their SHA-256 (``blobs.py``); the same content uploaded twice is stored once,
and every uploader gets a row in ``attachment_uploads`` (the uploader may always read it back).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, String, Table

from singlewindow.platform.storage.tables import metadata

attachments = Table(
    "attachments",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size_bytes", BigInteger, nullable=False),
    Column("media_type", String(127), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("uploaded_by", String(40), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
)

attachment_uploads = Table(
    "attachment_uploads",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("principal_id", String(40), primary_key=True),
    Column("file_name", String(255), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
)
Index("ix_attachment_uploads_principal", attachment_uploads.c.principal_id)
