"""Officer queue lifecycle (issue 12): an item is withdrawn when its submission version is cancelled,
superseded or replaced (kind, reason, the superseding version), a new version's item says which version it
replaces and what changed, and a trader's answers to the officer's query are kept on the item.

Existing rows keep their meaning: every new column is nullable and NULL means "not withdrawn, replaces
nothing, no answers".

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"

_COLUMNS = (
    ("withdrawn_at", sa.DateTime(timezone=True)),
    ("withdrawn_kind", sa.String(length=24)),
    ("withdrawn_reason", sa.String(length=1000)),
    ("superseded_by", sa.Integer()),
    ("replaces", sa.JSON()),
    ("answers", sa.JSON()),
)


def upgrade() -> None:
    with op.batch_alter_table("officer_queue") as batch:
        for name, kind in _COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("officer_queue") as batch:
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
