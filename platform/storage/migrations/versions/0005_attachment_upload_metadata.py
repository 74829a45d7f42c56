"""Attachment metadata per upload: name, media type and time move from the shared content row to each
uploader's row, so a trader uploading bytes another trader uploaded never sees the other's metadata

Existing rows are kept: every upload row gets the media type the content row recorded (the only one known),
and an uploader the content row names but no upload row lists gets one from the content row.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"

_STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("attachment_uploads") as batch:
        batch.add_column(sa.Column("media_type", sa.String(length=127), nullable=True))
    op.execute(
        "INSERT INTO attachment_uploads (sha256, principal_id, media_type, file_name, uploaded_at)"
        " SELECT a.sha256, a.uploaded_by, a.media_type, a.file_name, a.uploaded_at FROM attachments a"
        " WHERE NOT EXISTS (SELECT 1 FROM attachment_uploads u"
        " WHERE u.sha256 = a.sha256 AND u.principal_id = a.uploaded_by)"
    )
    op.execute(
        "UPDATE attachment_uploads SET media_type = COALESCE("
        "(SELECT a.media_type FROM attachments a WHERE a.sha256 = attachment_uploads.sha256),"
        " 'application/octet-stream') WHERE media_type IS NULL"
    )
    with op.batch_alter_table("attachment_uploads") as batch:
        batch.alter_column("media_type", existing_type=sa.String(length=127), nullable=False)
    with op.batch_alter_table("attachments") as batch:
        batch.alter_column("uploaded_at", new_column_name="stored_at", existing_type=_STAMP, existing_nullable=False)
        batch.drop_column("media_type")
        batch.drop_column("file_name")
        batch.drop_column("uploaded_by")


def downgrade() -> None:
    """Back to one metadata row per content: the earliest upload's."""
    with op.batch_alter_table("attachments") as batch:
        batch.alter_column("stored_at", new_column_name="uploaded_at", existing_type=_STAMP, existing_nullable=False)
        batch.add_column(sa.Column("media_type", sa.String(length=127), nullable=True))
        batch.add_column(sa.Column("file_name", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("uploaded_by", sa.String(length=40), nullable=True))
    first = (
        "(SELECT u.{column} FROM attachment_uploads u WHERE u.sha256 = attachments.sha256"
        " ORDER BY u.uploaded_at, u.principal_id LIMIT 1)"
    )
    op.execute(
        "UPDATE attachments SET"
        f" media_type = COALESCE({first.format(column='media_type')}, 'application/octet-stream'),"
        f" file_name = COALESCE({first.format(column='file_name')}, sha256),"
        f" uploaded_by = COALESCE({first.format(column='principal_id')}, '')"
    )
    with op.batch_alter_table("attachments") as batch:
        batch.alter_column("media_type", existing_type=sa.String(length=127), nullable=False)
        batch.alter_column("file_name", existing_type=sa.String(length=255), nullable=False)
        batch.alter_column("uploaded_by", existing_type=sa.String(length=40), nullable=False)
    with op.batch_alter_table("attachment_uploads") as batch:
        batch.drop_column("media_type")
