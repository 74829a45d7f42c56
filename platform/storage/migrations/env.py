"""Alembic environment: always run by singlewindow.platform.storage.migrate on a given connection."""

from __future__ import annotations

from alembic import context

from singlewindow.platform.permits import tables as _permit_tables  # noqa: F401  (registers on metadata)
from singlewindow.platform.risk import tables as _risk_tables  # noqa: F401  (registers on metadata)
from singlewindow.platform.storage.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
