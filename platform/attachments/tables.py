"""The attachment store's tables, on the hub's one MetaData: the stored contents and every upload of them.

The bytes live on disk under their SHA-256 (``blobs.py``) and are kept once, however many principals upload
them: ``attachments`` holds only what the content itself determines (its size, when it first arrived).
What an uploader says about a file (its name, its media type) and when they uploaded it belong to that
upload: one ``attachment_uploads`` row per (content, uploader), which nobody else is shown.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, String, Table

from singlewindow.platform.storage.tables import metadata

attachments = Table(
    "attachments",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size_bytes", BigInteger, nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False),
)

attachment_uploads = Table(
    "attachment_uploads",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("principal_id", String(40), primary_key=True),
    Column("media_type", String(127), nullable=False),
    Column("file_name", String(255), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
)
Index("ix_attachment_uploads_principal", attachment_uploads.c.principal_id)
